import { useEffect, useState } from 'react';
import { Anchor, Button, Divider, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { ApiError, mutation, pagePath, query, session, type SignInAnswer } from '../api';
import { autofillSupported, passkeysSupported, signInWithPasskey } from '../passkeys';
import { navigate, param } from '../router';
import { socialErrorMessage, t } from '../strings';
import { ErrorAlert, Layout, Notice, PageLink, useSubmission } from '../ui';
import type { PendingMfa } from '../App';

/**
 * Password sign-in, or a magic link by email. `return_to` is passed to the server, which honours
 * only a same-origin path. Passkeys and social buttons plug into `SignInMethods`.
 */
export function SignIn({ tenantName, onMfa }: { tenantName: string; onMfa: (pending: PendingMfa) => void }) {
  // An OIDC client's login_hint pre-fills the address (a hint only).
  const [email, setEmail] = useState(() => param('login_hint') ?? '');
  const [password, setPassword] = useState('');
  const [magic, setMagic] = useState(false);
  const [sent, setSent] = useState(false);
  const submission = useSubmission();
  const returnTo = param('return_to');

  const proceed = (answer: SignInAnswer) => {
    if (answer.status === 'mfa_required') {
      onMfa({ challengeToken: answer.challengeToken, returnTo, methods: answer.methods });
      navigate(pagePath('mfa'));
    } else {
      window.location.assign(answer.redirectTo);
    }
  };
  const signIn = () => submission.run(async () => proceed(await session.step('sign-in', { email, password, returnTo: returnTo ?? undefined })));
  // Conditional UI: the browser lists the tenant's passkeys in the email field's autofill; picking
  // one completes this (otherwise pending) ceremony. A button press aborts it and starts its own.
  useEffect(() => {
    void autofillSupported().then((supported) => {
      if (supported) signInWithPasskey(true, returnTo).then(proceed, () => undefined);
    });
  }, []);
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
          {/* A provider redirect that was refused came back with ?error=CODE. */}
          {param('error') && !submission.error && <ErrorAlert error={new ApiError(param('error')!, 400, socialErrorMessage(param('error')!))} />}
          {sent && <Notice>{t('signIn.magicLinkSent')}</Notice>}
          <TextInput label={t('field.email')} name="email" type="email" autoComplete="username webauthn" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} error={submission.fieldError('email')} />
          {!magic && (
            <PasswordInput label={t('field.password')} name="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} error={submission.fieldError('password')} />
          )}
          <Button type="submit" loading={submission.busy} fullWidth>
            {magic ? t('signIn.magicLinkSubmit') : t('signIn.submit')}
          </Button>
        </Stack>
      </form>
      <SignInMethods returnTo={returnTo} onPasskey={() => submission.run(async () => proceed(await signInWithPasskey(false, returnTo)))} busy={submission.busy} />
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

interface Connection {
  slug: string;
  name: string;
  startUrl: string;
}

/** The passkey button and one button per identity provider the tenant enabled. */
function SignInMethods({ returnTo, onPasskey, busy }: { returnTo: string | null; onPasskey: () => void; busy: boolean }) {
  const [connections, setConnections] = useState<Connection[]>([]);
  useEffect(() => {
    void query<{ items: Connection[] }>('auth.connections').then((found) => setConnections(found.items), () => undefined);
  }, []);
  const methods: React.ReactElement[] = [];
  if (passkeysSupported()) {
    methods.push(
      <Button key="passkey" variant="default" fullWidth onClick={onPasskey} loading={busy}>
        {t('signIn.passkey')}
      </Button>,
    );
  }
  for (const c of connections) {
    const href = `${new URL(c.startUrl).pathname}${returnTo ? `?return_to=${encodeURIComponent(returnTo)}` : ''}`;
    methods.push(
      <Button key={c.slug} component="a" href={href} variant="default" fullWidth>
        {t('signIn.withProvider', { name: c.name })}
      </Button>,
    );
  }
  if (methods.length === 0) return null;
  return (
    <>
      {/* The label in gray.8: Mantine's default dimmed label fails WCAG AA contrast (axe color-contrast). */}
      <Divider label={<Text size="xs" c="gray.8">{t('signIn.otherMethods')}</Text>} labelPosition="center" />
      {methods}
    </>
  );
}
