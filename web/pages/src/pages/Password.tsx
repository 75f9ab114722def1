import { useState } from 'react';
import { Button, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { mutation } from '../api';
import { param } from '../router';
import { t } from '../strings';
import { ErrorAlert, Layout, Notice, PageLink, useLinkSubmission, useSubmission } from '../ui';

export function ForgotPassword({ tenantName }: { tenantName: string }) {
  const [email, setEmail] = useState('');
  const [done, setDone] = useState(false);
  const submission = useSubmission();
  const send = () =>
    submission.run(async () => {
      await mutation('auth.forgotPassword', { email });
      setDone(true);
    });
  return (
    <Layout tenantName={tenantName} title={t('forgot.title')}>
      {done ? (
        <Notice>{t('forgot.done')}</Notice>
      ) : (
        <form
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            void send();
          }}
        >
          <Stack gap="sm">
            <Text>{t('forgot.intro')}</Text>
            <ErrorAlert error={submission.error} />
            <TextInput label={t('field.email')} name="email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} error={submission.fieldError('email')} />
            <Button type="submit" loading={submission.busy} fullWidth>
              {t('forgot.submit')}
            </Button>
          </Stack>
        </form>
      )}
      <PageLink page="sign-in">{t('common.backToSignIn')}</PageLink>
    </Layout>
  );
}

/** The emailed reset link lands here: nothing is consumed until the new password is submitted. */
export function ResetPassword({ tenantName }: { tenantName: string }) {
  const token = param('token');
  const [password, setPassword] = useState('');
  const [done, setDone] = useState(false);
  const submission = useLinkSubmission();
  const reset = () =>
    submission.run(async () => {
      await mutation('auth.resetPassword', { token, password });
      setDone(true);
    });
  return (
    <Layout tenantName={tenantName} title={t('reset.title')}>
      {!token ? (
        <Text>{t('error.missingToken')}</Text>
      ) : done ? (
        <Notice>{t('reset.done')}</Notice>
      ) : (
        <form
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            void reset();
          }}
        >
          <Stack gap="sm">
            <ErrorAlert error={submission.error} />
            <PasswordInput label={t('field.newPassword')} name="password" autoComplete="new-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} error={submission.fieldError('password')} />
            <Button type="submit" loading={submission.busy} fullWidth>
              {t('reset.submit')}
            </Button>
          </Stack>
        </form>
      )}
      <PageLink page="sign-in">{t('common.backToSignIn')}</PageLink>
    </Layout>
  );
}
