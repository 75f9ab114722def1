import { useState } from 'react';
import { Button, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { mutation } from '../api';
import { t } from '../strings';
import { ErrorAlert, Layout, Notice, PageLink, useSubmission } from '../ui';

export function SignUp({ tenantName }: { tenantName: string }) {
  const [form, setForm] = useState({ email: '', password: '', displayName: '' });
  const [done, setDone] = useState(false);
  const submission = useSubmission();
  const set = (key: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) => setForm({ ...form, [key]: e.currentTarget.value });
  const signUp = () =>
    submission.run(async () => {
      await mutation('auth.signUp', { email: form.email, password: form.password, ...(form.displayName ? { displayName: form.displayName } : {}) });
      setDone(true);
    });
  return (
    <Layout tenantName={tenantName} title={t('signUp.title')}>
      {done ? (
        <Notice>{t('signUp.done')}</Notice>
      ) : (
        <form
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            void signUp();
          }}
        >
          <Stack gap="sm">
            <ErrorAlert error={submission.error} />
            <TextInput label={t('field.displayName')} name="name" autoComplete="name" value={form.displayName} onChange={set('displayName')} error={submission.fieldError('displayName')} />
            <TextInput label={t('field.email')} name="email" type="email" autoComplete="email" required value={form.email} onChange={set('email')} error={submission.fieldError('email')} />
            <PasswordInput label={t('field.password')} name="password" autoComplete="new-password" required value={form.password} onChange={set('password')} error={submission.fieldError('password')} />
            <Button type="submit" loading={submission.busy} fullWidth>
              {t('signUp.submit')}
            </Button>
          </Stack>
        </form>
      )}
      <Text size="sm">
        {t('signUp.haveAccount')} <PageLink page="sign-in">{t('signIn.submit')}</PageLink>
      </Text>
    </Layout>
  );
}
