import { useCallback, useEffect, useState } from 'react';
import { Badge, Button, Card, Group, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { mutation, pagePath, query, session, type SessionInfo } from '../api';
import { t } from '../strings';
import { ErrorAlert, Layout, Notice, useSubmission } from '../ui';
import { ChangeEmail } from './account/ChangeEmail';
import { TwoFactor } from './account/TwoFactor';
import { addPasskey, passkeysSupported, type PasskeyRow } from '../passkeys';
import { LinkedIdentities } from './LinkedIdentities';

interface SessionRow {
  id: string;
  current: boolean;
  userAgent: string | null;
  ip: string | null;
  amr: string[];
  createdAt: string;
  lastUsedAt: string;
}

/** The signed-in person's own account: profile, password, sessions, sign-out. */
export function Account({ tenantName }: { tenantName: string }) {
  const [me, setMe] = useState<SessionInfo | null>(null);
  useEffect(() => {
    void session.current().then((found) => {
      if (!found) window.location.assign(`${pagePath('sign-in')}?return_to=${encodeURIComponent(pagePath('account'))}`);
      else setMe(found);
    });
  }, []);
  const signOut = useSubmission();
  if (!me) return <Layout tenantName={tenantName} title={t('account.title')}>{t('common.loading')}</Layout>;
  return (
    <Layout tenantName={tenantName} title={t('account.title')}>
      <Group justify="space-between">
        <Text fw={500}>{me.user.email}</Text>
        <Badge color={me.user.emailVerified ? 'teal.9' : 'gray.8'}>{me.user.emailVerified ? t('account.emailVerified') : t('account.emailUnverified')}</Badge>
      </Group>
      {new URLSearchParams(window.location.search).get('mfa') === 'required' && <Notice>{t('account.mfaRequired')}</Notice>}
      <Profile me={me} />
      <ChangeEmail />
      <ChangePassword />
      <TwoFactor me={me} />
      <Passkeys />
      <LinkedIdentities />
      <Sessions />
      <ConnectedApplications />
      <ErrorAlert error={signOut.error} />
      <Button
        variant="outline"
        color="red.9"
        loading={signOut.busy}
        onClick={() =>
          void signOut.run(async () => {
            const answer = await session.step<{ redirectTo: string }>('sign-out', {});
            window.location.assign(answer.redirectTo);
          })
        }
      >
        {t('account.signOut')}
      </Button>
    </Layout>
  );
}

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <Card withBorder component="section" aria-label={title}>
      <Stack gap="sm">
        <Title order={2} size="h5">
          {title}
        </Title>
        {children}
      </Stack>
    </Card>
  );
}

function Profile({ me }: { me: SessionInfo }) {
  const [name, setName] = useState(me.user.displayName ?? '');
  const [saved, setSaved] = useState(false);
  const submission = useSubmission();
  return (
    <Section title={t('account.profile')}>
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          setSaved(false);
          void submission.run(async () => {
            await mutation('auth.updateProfile', { displayName: name || null });
            setSaved(true);
          });
        }}
      >
        <Stack gap="sm">
          <ErrorAlert error={submission.error} />
          {saved && <Notice>{t('account.profileSaved')}</Notice>}
          <TextInput label={t('field.displayName')} name="displayName" autoComplete="name" value={name} onChange={(e) => setName(e.currentTarget.value)} error={submission.fieldError('displayName')} />
          <Button type="submit" loading={submission.busy}>
            {t('account.saveProfile')}
          </Button>
        </Stack>
      </form>
    </Section>
  );
}

function ChangePassword() {
  const [form, setForm] = useState({ currentPassword: '', newPassword: '' });
  const [done, setDone] = useState(false);
  const submission = useSubmission();
  return (
    <Section title={t('account.password')}>
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          setDone(false);
          void submission.run(async () => {
            await mutation('auth.changePassword', form);
            setForm({ currentPassword: '', newPassword: '' });
            setDone(true);
          });
        }}
      >
        <Stack gap="sm">
          <ErrorAlert error={submission.error} />
          {done && <Notice>{t('account.passwordChanged')}</Notice>}
          <PasswordInput label={t('field.currentPassword')} name="currentPassword" autoComplete="current-password" required value={form.currentPassword} onChange={(e) => setForm({ ...form, currentPassword: e.currentTarget.value })} error={submission.fieldError('currentPassword')} />
          <PasswordInput label={t('field.newPassword')} name="newPassword" autoComplete="new-password" required value={form.newPassword} onChange={(e) => setForm({ ...form, newPassword: e.currentTarget.value })} error={submission.fieldError('newPassword')} />
          <Button type="submit" loading={submission.busy}>
            {t('account.changePassword')}
          </Button>
        </Stack>
      </form>
    </Section>
  );
}

function Sessions() {
  const [rows, setRows] = useState<SessionRow[]>([]);
  const submission = useSubmission();
  const load = useCallback(() => submission.run(async () => setRows((await query<{ items: SessionRow[] }>('sessions.list', { limit: 50 })).items)), []);
  useEffect(() => void load(), [load]);
  return (
    <Section title={t('account.sessions')}>
      <ErrorAlert error={submission.error} />
      <Stack gap="xs" component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
        {rows.map((row) => {
          const created = new Date(row.createdAt).toLocaleString();
          return (
            <Group key={row.id} component="li" justify="space-between" wrap="nowrap" data-session-id={row.id}>
              <div>
                <Text size="sm" fw={500}>
                  {row.userAgent?.slice(0, 60) ?? t('account.unknownDevice')}
                </Text>
                <Text size="xs" c="gray.8">
                  {created}
                  {row.ip ? ` · ${row.ip}` : ''}
                </Text>
              </div>
              {row.current ? (
                <Badge color="teal.9" style={{ flexShrink: 0 }}>{t('account.thisDevice')}</Badge>
              ) : (
                <Button
                  size="xs"
                  variant="outline"
                  color="red.9"
                  aria-label={t('account.revokeLabel', { created })}
                  onClick={() =>
                    void submission.run(async () => {
                      await mutation('sessions.revoke', { sessionId: row.id });
                      setRows((await query<{ items: SessionRow[] }>('sessions.list', { limit: 50 })).items);
                    })
                  }
                >
                  {t('account.revoke')}
                </Button>
              )}
            </Group>
          );
        })}
      </Stack>
    </Section>
  );
}

interface Consent {
  applicationId: string;
  name: string;
  scopes: string[];
  grantedAt: string;
}

/** Third-party applications the person allowed (OIDC consent): each can be revoked. */
function ConnectedApplications() {
  const [rows, setRows] = useState<Consent[] | null>(null);
  const submission = useSubmission();
  const load = useCallback(() => submission.run(async () => setRows(await query<Consent[]>('applications.consents'))), []);
  useEffect(() => void load(), [load]);
  return (
    <Section title={t('account.applications')}>
      <ErrorAlert error={submission.error} />
      {rows?.length === 0 && <Text size="sm">{t('account.noApplications')}</Text>}
      <Stack gap="xs" component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
        {(rows ?? []).map((row) => (
          <Group key={row.applicationId} component="li" justify="space-between" wrap="nowrap">
            <div>
              <Text size="sm" fw={500}>
                {row.name}
              </Text>
              <Text size="xs" c="gray.8">
                {row.scopes.join(' ')}
              </Text>
            </div>
            <Button
              size="xs"
              variant="outline"
              color="red.9"
              aria-label={t('account.revokeApplication', { name: row.name })}
              onClick={() =>
                void submission.run(async () => {
                  await mutation('applications.revokeConsent', { applicationId: row.applicationId });
                  setRows(await query<Consent[]>('applications.consents'));
                })
              }
            >
              {t('account.revokeAccess')}
            </Button>
          </Group>
        ))}
      </Stack>
    </Section>
  );
}

/** The user's passkeys: add one (the browser's authenticator), rename, remove. */
function Passkeys() {
  const [rows, setRows] = useState<PasskeyRow[]>([]);
  const [editing, setEditing] = useState<{ id: string; name: string } | null>(null);
  const submission = useSubmission();
  const reload = async () => setRows((await query<{ items: PasskeyRow[] }>('passkeys.list', {})).items);
  useEffect(() => void submission.run(reload), []);
  return (
    <Section title={t('account.passkeys')}>
      <ErrorAlert error={submission.error} />
      {rows.length === 0 && <Text size="sm">{t('account.noPasskeys')}</Text>}
      <Stack gap="xs" component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
        {rows.map((row) => (
          <Group key={row.id} component="li" justify="space-between" wrap="nowrap" data-passkey-id={row.id}>
            {editing?.id === row.id ? (
              <form
                noValidate
                onSubmit={(event) => {
                  event.preventDefault();
                  void submission.run(async () => {
                    await mutation('passkeys.rename', editing);
                    setEditing(null);
                    await reload();
                  });
                }}
              >
                <Group gap="xs" wrap="nowrap">
                  <TextInput size="xs" aria-label={t('account.renamePasskeyLabel', { name: row.name })} value={editing.name} onChange={(e) => setEditing({ id: row.id, name: e.currentTarget.value })} error={submission.fieldError('name')} />
                  <Button size="xs" type="submit">
                    {t('account.save')}
                  </Button>
                </Group>
              </form>
            ) : (
              <div>
                <Text size="sm" fw={500}>
                  {row.name} {row.backedUp && <Badge size="xs" color="teal.9">{t('account.passkeySynced')}</Badge>}
                </Text>
                <Text size="xs" c="gray.8">
                  {t('account.passkeyCreated', { created: new Date(row.createdAt).toLocaleString() })}
                  {row.lastUsedAt ? ` · ${t('account.passkeyLastUsed', { used: new Date(row.lastUsedAt).toLocaleString() })}` : ''}
                </Text>
              </div>
            )}
            <Group gap="xs" wrap="nowrap">
              <Button size="xs" variant="default" onClick={() => setEditing({ id: row.id, name: row.name })}>
                {t('account.renamePasskey')}
              </Button>
              <Button
                size="xs"
                variant="outline"
                color="red.9"
                aria-label={t('account.removePasskeyLabel', { name: row.name })}
                onClick={() =>
                  void submission.run(async () => {
                    await mutation('passkeys.delete', { id: row.id });
                    await reload();
                  })
                }
              >
                {t('account.removePasskey')}
              </Button>
            </Group>
          </Group>
        ))}
      </Stack>
      {passkeysSupported() && (
        <Button
          variant="default"
          loading={submission.busy}
          onClick={() =>
            void submission.run(async () => {
              await addPasskey();
              await reload();
            })
          }
        >
          {t('account.addPasskey')}
        </Button>
      )}
    </Section>
  );
}
