import { useEffect, useState } from 'react';
import { Button, Group, Text } from '@mantine/core';
import { pagePath, session, tenantCall } from '../api';
import { param } from '../router';
import { t } from '../strings';
import { ErrorAlert, Layout, PageLink, useSubmission } from '../ui';

/**
 * "Sign out of {tenant}?": where an RP-initiated logout without an ID token hint lands. The request
 * could have come from any site, so only this page's POST (with the session's CSRF token) signs out.
 */
export function EndSession({ tenantName }: { tenantName: string }) {
  const [signedIn, setSignedIn] = useState<boolean | null>(null);
  const submission = useSubmission();
  useEffect(() => {
    void session.current().then((found) => setSignedIn(found !== null), () => setSignedIn(false));
  }, []);
  const confirm = () =>
    submission.run(async () => {
      const body: Record<string, string> = {};
      for (const name of ['client_id', 'post_logout_redirect_uri', 'state']) {
        const value = param(name);
        if (value !== null) body[name] = value;
      }
      const answer = await tenantCall<{ redirectTo: string }>('/oauth/end-session/confirm', { method: 'POST', body });
      window.location.assign(answer.redirectTo);
    });
  return (
    <Layout tenantName={tenantName} title={t('endSession.title', { tenant: tenantName })}>
      <ErrorAlert error={submission.error} />
      {signedIn === null ? (
        <Text>{t('common.loading')}</Text>
      ) : signedIn ? (
        <>
          <Text>{t('endSession.intro')}</Text>
          <Group>
            <Button onClick={() => void confirm()} loading={submission.busy}>
              {t('endSession.confirm')}
            </Button>
            <Button component="a" href={pagePath('account')} variant="default">
              {t('endSession.cancel')}
            </Button>
          </Group>
        </>
      ) : (
        <>
          <Text>{t('endSession.notSignedIn')}</Text>
          <PageLink page="sign-in">{t('common.backToSignIn')}</PageLink>
        </>
      )}
    </Layout>
  );
}
