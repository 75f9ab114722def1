import { useEffect, useState } from 'react';
import { Button, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { ApiError, pagePath, query, session, type SessionInfo } from '../api';
import { param } from '../router';
import { t } from '../strings';
import { ErrorAlert, Layout, Notice, PageLink, useSubmission } from '../ui';

interface Preview {
  email: string;
  organization: { name: string };
  inviter: { name: string | null };
  role: string;
}

/**
 * The emailed invitation: a new person creates their account and joins; an existing account signs
 * in first (and comes back here), then accepts with its session.
 */
export function AcceptInvitation({ tenantName }: { tenantName: string }) {
  const token = param('token');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [me, setMe] = useState<SessionInfo | null>(null);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [form, setForm] = useState({ name: '', password: '' });
  const [needsSignIn, setNeedsSignIn] = useState(false);
  const [joined, setJoined] = useState(false);
  const submission = useSubmission();

  useEffect(() => {
    if (!token) return;
    Promise.all([query<Preview>('invitations.validate', { token }), session.current()])
      .then(([p, s]) => {
        setPreview(p);
        setMe(s);
      })
      .catch((error: unknown) => setLoadError(error instanceof ApiError ? error : new ApiError('INTERNAL', 0, t('error.generic'))));
  }, [token]);

  const accept = () =>
    submission.run(async () => {
      try {
        const answer = await session.step<{ status: string; redirectTo: string }>('accept-invitation', me ? { token } : { token, password: form.password, ...(form.name ? { name: form.name } : {}) });
        if (answer.status === 'signed_in') return window.location.assign(answer.redirectTo);
        setJoined(true);
      } catch (error) {
        if (error instanceof ApiError && error.code === 'INVITATION_SIGN_IN_REQUIRED') return setNeedsSignIn(true);
        throw error;
      }
    });

  const signInHref = `${pagePath('sign-in')}?return_to=${encodeURIComponent(window.location.pathname + window.location.search)}`;
  return (
    <Layout tenantName={tenantName} title={t('invite.title')}>
      <ErrorAlert error={loadError ?? submission.error} />
      {!token && <Text>{t('error.missingToken')}</Text>}
      {preview && (
        <>
          <Text>{t('invite.intro', { inviter: preview.inviter.name ?? t('invite.someone'), organization: preview.organization.name, role: preview.role })}</Text>
          <Text size="sm">{t('invite.as', { email: preview.email })}</Text>
          {joined ? (
            <Notice>{t('invite.done', { organization: preview.organization.name })}</Notice>
          ) : needsSignIn ? (
            <>
              <Text>{t('invite.signInFirst')}</Text>
              <Button component="a" href={signInHref}>
                {t('signIn.submit')}
              </Button>
            </>
          ) : me ? (
            me.user.email === preview.email ? (
              <Button onClick={() => void accept()} loading={submission.busy} fullWidth>
                {t('invite.accept')}
              </Button>
            ) : (
              <Text>{t('invite.wrongUser', { email: me.user.email })}</Text>
            )
          ) : (
            <form
              noValidate
              onSubmit={(event) => {
                event.preventDefault();
                void accept();
              }}
            >
              <Stack gap="sm">
                <TextInput label={t('field.displayName')} name="name" autoComplete="name" value={form.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} error={submission.fieldError('name')} />
                <PasswordInput label={t('field.password')} name="password" autoComplete="new-password" required value={form.password} onChange={(e) => setForm({ ...form, password: e.currentTarget.value })} error={submission.fieldError('password')} />
                <Button type="submit" loading={submission.busy} fullWidth>
                  {t('invite.create')}
                </Button>
                <Text size="sm">
                  <a href={signInHref}>{t('invite.signInFirst')}</a>
                </Text>
              </Stack>
            </form>
          )}
        </>
      )}
      <PageLink page="sign-in">{t('common.backToSignIn')}</PageLink>
    </Layout>
  );
}
