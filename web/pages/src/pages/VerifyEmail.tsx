import { useState } from 'react';
import { Button, Text } from '@mantine/core';
import { mutation } from '../api';
import { param } from '../router';
import { t } from '../strings';
import { ErrorAlert, Layout, Notice, PageLink, useLinkSubmission } from '../ui';

/** The emailed verification link: opening it (a GET, as link scanners do) verifies nothing; the button does. */
export function VerifyEmail({ tenantName }: { tenantName: string }) {
  const token = param('token');
  const [done, setDone] = useState(false);
  const submission = useLinkSubmission();
  const verify = () =>
    submission.run(async () => {
      await mutation('auth.verifyEmail', { token });
      setDone(true);
    });
  return (
    <Layout tenantName={tenantName} title={t('verify.title')}>
      <ErrorAlert error={submission.error} />
      {!token ? (
        <Text>{t('error.missingToken')}</Text>
      ) : done ? (
        <Notice>{t('verify.done')}</Notice>
      ) : (
        <>
          <Text>{t('verify.intro')}</Text>
          <Button onClick={() => void verify()} loading={submission.busy} fullWidth>
            {t('verify.submit')}
          </Button>
        </>
      )}
      <PageLink page="sign-in">{t('common.backToSignIn')}</PageLink>
    </Layout>
  );
}
