import { useState } from 'react';
import { Anchor, Button, Divider, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { mutation, pagePath, session } from '../api';
import { navigate, param } from '../router';
import { t } from '../strings';
import { ErrorAlert, Layout, Notice, PageLink, useSubmission } from '../ui';
import type { PendingMfa } from '../App';

/**
 * Password sign-in, or a magic link by email. `return_to` is passed to the server, which honours
 * only a same-origin path. Passkeys and social buttons plug into `SignInMethods`.
 */
export function SignIn({ tenantName, onMfa }: { tenantName: string; onMfa: (pending: PendingMfa) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [magic, setMagic] = useState(false);
  const [sent, setSent] = useState(false);
  const submission = useSubmission();
  const returnTo = param('return_to');

  const signIn = () =>
    submission.run(async () => {
      const answer = await session.step('sign-in', { email, password, returnTo: returnTo ?? undefined });
      if (answer.status === 'mfa_required') {
        onMfa({ challengeToken: answer.challengeToken, returnTo });
        navigate(pagePath('mfa'));
      } else {
        window.location.assign(answer.redirectTo);
      }
    });
  const sendLink = () =>
    submission.run(async () => {
      await mutation('auth.requestMagicLink', { email });
      setSent(true);
    });

  return (
    <Layout tenantName={tenantName} title={t('signIn.title')}>
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void (magic ? sendLink() : signIn());
        }}
      >
        <Stack gap="sm">
          <ErrorAlert error={submission.error} />
          {sent && <Notice>{t('signIn.magicLinkSent')}</Notice>}
          <TextInput label={t('field.email')} name="email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} error={submission.fieldError('email')} />
          {!magic && (
            <PasswordInput label={t('field.password')} name="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} error={submission.fieldError('password')} />
          )}
          <Button type="submit" loading={submission.busy} fullWidth>
            {magic ? t('signIn.magicLinkSubmit') : t('signIn.submit')}
          </Button>
        </Stack>
      </form>
      <SignInMethods />
      <Stack gap={4}>
        <Anchor component="button" type="button" onClick={() => setMagic(!magic)} ta="left">
          {magic ? t('signIn.submit') : t('signIn.magicLink')}
        </Anchor>
        <PageLink page="forgot-password">{t('signIn.forgot')}</PageLink>
        <Text size="sm">
          {t('signIn.noAccount')} <PageLink page="sign-up">{t('signIn.signUp')}</PageLink>
        </Text>
      </Stack>
    </Layout>
  );
}

/** Where passkeys and social sign-in buttons go (none are configured yet: nothing is shown). */
function SignInMethods() {
  const methods: React.ReactElement[] = [];
  if (methods.length === 0) return null;
  return (
    <>
      <Divider label={t('signIn.otherMethods')} labelPosition="center" />
      {methods}
    </>
  );
}
