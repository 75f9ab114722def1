import { useState } from 'react';
import { Button, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { mutation } from '../../api';
import { t } from '../../strings';
import { AccountSection, ErrorAlert, Notice, useSubmission } from '../../ui';

/**
 * Change of email address: the new address gets a link and nothing changes until it is opened
 * and confirmed (the confirm-email page); the current password proves it is the owner asking.
 */
export function ChangeEmail() {
  const [form, setForm] = useState({ newEmail: '', currentPassword: '' });
  const [sentTo, setSentTo] = useState<string | null>(null);
  const submission = useSubmission();
  return (
    <AccountSection title={t('account.changeEmail')}>
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          setSentTo(null);
          void submission.run(async () => {
            await mutation('auth.requestEmailChange', { newEmail: form.newEmail, ...(form.currentPassword ? { currentPassword: form.currentPassword } : {}) });
            setSentTo(form.newEmail.trim());
            setForm({ newEmail: '', currentPassword: '' });
          });
        }}
      >
        <Stack gap="sm">
          <Text size="sm">{t('account.changeEmailIntro')}</Text>
          <ErrorAlert error={submission.error} />
          {sentTo && <Notice>{t('account.changeEmailSent', { email: sentTo })}</Notice>}
          <TextInput label={t('field.newEmail')} name="newEmail" type="email" autoComplete="email" required value={form.newEmail} onChange={(e) => setForm({ ...form, newEmail: e.currentTarget.value })} error={submission.fieldError('newEmail')} />
          <PasswordInput label={t('field.yourPassword')} name="currentPassword" autoComplete="current-password" value={form.currentPassword} onChange={(e) => setForm({ ...form, currentPassword: e.currentTarget.value })} error={submission.fieldError('currentPassword')} />
          <Button type="submit" loading={submission.busy}>
            {t('account.changeEmailSubmit')}
          </Button>
        </Stack>
      </form>
    </AccountSection>
  );
}
