import { useEffect, useState } from 'react';
import { Button, Text } from '@mantine/core';
import { mutation, session } from '../api';
import { param } from '../router';
import { t } from '../strings';
import { ErrorAlert, Layout, Notice, PageLink, useLinkSubmission } from '../ui';

/**
 * The link mailed to a new email address: opening it (a GET, as link scanners do) changes nothing;
 * the button's POST confirms the change.
 */
export function ConfirmEmail({ tenantName }: { tenantName: string }) {
  const token = param('token');
  const [changedTo, setChangedTo] = useState<string | null>(null);
  const submission = useLinkSubmission();
  // Signed in on this browser? Then the POST carries the cookie and needs its CSRF token.
  useEffect(() => void session.current().catch(() => null), []);
  const confirm = () =>
    submission.run(async () => {
      const answer = await mutation<{ user: { email: string } }>('auth.confirmEmailChange', { token });
      setChangedTo(answer.user.email);
    });
  return (
    <Layout tenantName={tenantName} title={t('confirmEmail.title')}>
      <ErrorAlert error={submission.error} />
      {!token ? (
        <Text>{t('error.missingToken')}</Text>
      ) : changedTo ? (
        <Notice>{t('confirmEmail.done', { email: changedTo })}</Notice>
      ) : (
        <>
          <Text>{t('confirmEmail.intro')}</Text>
          <Button onClick={() => void confirm()} loading={submission.busy} fullWidth>
            {t('confirmEmail.submit')}
          </Button>
        </>
      )}
      <PageLink page="account">{t('account.title')}</PageLink>
    </Layout>
  );
}
