import { Button, Text } from '@mantine/core';
import { pagePath, session } from '../api';
import { navigate, param } from '../router';
import { t } from '../strings';
import { ErrorAlert, Layout, PageLink, useLinkSubmission } from '../ui';
import type { PendingMfa } from '../App';

/** The emailed sign-in link: a GET shows a button, only its POST consumes the link (scanners burn nothing). */
export function MagicLink({ tenantName, onMfa }: { tenantName: string; onMfa: (pending: PendingMfa) => void }) {
  const token = param('token');
  const submission = useLinkSubmission();
  const consume = () =>
    submission.run(async () => {
      const answer = await session.step('magic-link', { token });
      if (answer.status === 'mfa_required') {
        onMfa({ challengeToken: answer.challengeToken, returnTo: null });
        navigate(pagePath('mfa'));
      } else {
        window.location.assign(answer.redirectTo);
      }
    });
  return (
    <Layout tenantName={tenantName} title={t('magic.title')}>
      <ErrorAlert error={submission.error} />
      {!token ? (
        <Text>{t('error.missingToken')}</Text>
      ) : (
        <>
          <Text>{t('magic.intro')}</Text>
          <Button onClick={() => void consume()} loading={submission.busy} fullWidth>
            {t('magic.submit')}
          </Button>
        </>
      )}
      <PageLink page="sign-in">{t('common.backToSignIn')}</PageLink>
    </Layout>
  );
}
