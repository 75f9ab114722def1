import { Alert, Anchor, Button, Card, Code, Group, Loader, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from 'react-router';
import { useTRPC } from '../lib/trpc';
import { useCan, useSession } from '../lib/session';
import { errorText, when } from '../lib/format';
import { ConfirmButton } from '../lib/Confirm';
import { UserStatus } from './Users';
import { UserIdentities, UserOrganizations } from './UserLinks';

/** One user: profile, live sessions, recent audit events; disable/enable, end sessions, delete. */
export function UserDetail() {
  const { userId = '' } = useParams();
  const trpc = useTRPC();
  const { tenant } = useSession();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const canWrite = useCan('users:write');
  const canDelete = useCan('users:delete');
  const canReadSessions = useCan('sessions:read');
  const canRevoke = useCan('sessions:revoke');
  const canAudit = useCan('audit:read');
  const user = useQuery(trpc.users.get.queryOptions({ userId }));
  const sessions = useQuery({ ...trpc.users.sessions.queryOptions({ userId, limit: 50 }), enabled: canReadSessions });
  const passkeys = useQuery(trpc.users.passkeys.queryOptions({ userId }));
  const events = useQuery({ ...trpc.auditLogs.list.queryOptions({ targetId: userId, limit: 10 }), enabled: canAudit });
  const refresh = () => queryClient.invalidateQueries();
  const disable = useMutation(trpc.users.disable.mutationOptions({ onSuccess: refresh }));
  const enable = useMutation(trpc.users.enable.mutationOptions({ onSuccess: refresh }));
  const revokeAll = useMutation(trpc.users.revokeAllSessions.mutationOptions({ onSuccess: refresh }));
  const revokeOne = useMutation(trpc.users.revokeSession.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.users.delete.mutationOptions({ onSuccess: () => navigate(`/t/${tenant}/users`) }));
  const removePasskey = useMutation(trpc.users.deletePasskey.mutationOptions({ onSuccess: refresh }));
  const resetMfa = useMutation(trpc.users.resetMfa.mutationOptions({ onSuccess: refresh }));
  const resend = useMutation(trpc.users.resendVerification.mutationOptions({ onSuccess: refresh }));
  const failure = disable.error ?? enable.error ?? revokeAll.error ?? revokeOne.error ?? remove.error ?? removePasskey.error ?? resetMfa.error ?? resend.error;

  if (user.isPending) return <Loader aria-label="Loading" />;
  if (user.error) return <Alert color="red.9">{errorText(user.error)}</Alert>;
  const u = user.data;
  return (
    <Stack>
      <Anchor component={Link} to={`/t/${tenant}/users`}>
        ← Users
      </Anchor>
      <Title order={1}>{u.email}</Title>
      {failure && <Alert color="red.9" title="Refused">{errorText(failure)}</Alert>}
      {resend.isSuccess && <Alert color="teal.9">Verification email sent to {u.email}.</Alert>}
      <Card withBorder>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Field label="Name">{u.displayName ?? '—'}</Field>
          <Field label="Status">
            <UserStatus disabled={u.disabled} verified={u.emailVerified} />
          </Field>
          <Field label="MFA">{u.mfaEnabled ? 'Enabled' : 'Not enrolled'}</Field>
          <Field label="Created">{when(u.createdAt)}</Field>
          <Field label="Last sign-in">{when(u.lastSignInAt)}</Field>
          <Field label="Id">
            <Code>{u.id}</Code>
          </Field>
        </SimpleGrid>
      </Card>
      <Group>
        {u.disabled ? (
          <Button disabled={!canWrite} loading={enable.isPending} onClick={() => enable.mutate({ userId })}>
            Enable user
          </Button>
        ) : (
          <ConfirmButton
            label="Disable user"
            question={`${u.email} will be signed out everywhere and cannot sign in until enabled again.`}
            disabled={!canWrite}
            loading={disable.isPending}
            onConfirm={() => disable.mutate({ userId })}
          />
        )}
        <ConfirmButton
          label="Reset MFA"
          question={`Remove ${u.email}'s authenticator app and recovery codes? They sign in with their password and may enroll again; they are told by email.`}
          disabled={!canWrite || !u.mfaEnabled}
          loading={resetMfa.isPending}
          onConfirm={() => resetMfa.mutate({ userId })}
        />
        {!u.emailVerified && (
          <Button variant="default" disabled={!canWrite} loading={resend.isPending} onClick={() => resend.mutate({ userId })}>
            Resend verification email
          </Button>
        )}
        <ConfirmButton label="End all sessions" question={`Sign ${u.email} out everywhere?`} disabled={!canRevoke} loading={revokeAll.isPending} onConfirm={() => revokeAll.mutate({ userId })} />
        <ConfirmButton label="Delete user" question={`Delete ${u.email} with their sessions and credentials? This cannot be undone.`} disabled={!canDelete} loading={remove.isPending} onConfirm={() => remove.mutate({ userId })} />
      </Group>

      <Title order={2}>Sessions</Title>
      {!canReadSessions ? (
        <Text>You may not see sessions (sessions:read).</Text>
      ) : (
        <Table.ScrollContainer minWidth={600}>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Started</Table.Th>
                <Table.Th>Last used</Table.Th>
                <Table.Th>IP</Table.Th>
                <Table.Th>Methods</Table.Th>
                <Table.Th>Action</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody data-testid="user-sessions">
              {sessions.data?.items.map((s) => (
                <Table.Tr key={s.id}>
                  <Table.Td>{when(s.createdAt)}</Table.Td>
                  <Table.Td>{when(s.lastUsedAt)}</Table.Td>
                  <Table.Td>{s.ip ?? '—'}</Table.Td>
                  <Table.Td>{s.amr.join(', ')}</Table.Td>
                  <Table.Td>
                    <Button size="xs" variant="default" disabled={!canRevoke} onClick={() => revokeOne.mutate({ userId, sessionId: s.id })}>
                      End session
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {sessions.data?.items.length === 0 && <Text>No live sessions.</Text>}

      <Title order={2}>Passkeys</Title>
      {passkeys.data?.items.length === 0 && <Text>No passkeys.</Text>}
      <Stack gap={4} data-testid="user-passkeys">
        {passkeys.data?.items.map((p) => (
          <Group key={p.id} gap="xs">
            <Text size="sm">
              {p.name} ({p.authenticator ?? p.deviceType}) · added {when(p.createdAt)} · last used {when(p.lastUsedAt)}
            </Text>
            <Button size="xs" variant="default" disabled={!canWrite} onClick={() => removePasskey.mutate({ userId, id: p.id })}>
              Remove passkey
            </Button>
          </Group>
        ))}
      </Stack>

      <UserIdentities userId={userId} />
      <UserOrganizations userId={userId} />

      <Title order={2}>Recent audit events</Title>
      {events.data?.items.length === 0 && <Text>No events about this user.</Text>}
      <Stack gap={4}>
        {events.data?.items.map((e) => (
          <Text key={e.id} size="sm">
            {when(e.occurredAt)} · <Code>{e.action}</Code> by {e.actor.type} {e.outcome === 'failure' ? '(failed)' : ''}
          </Text>
        ))}
      </Stack>
    </Stack>
  );
}

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <Text size="sm" fw={600}>
        {label}
      </Text>
      <div>{children}</div>
    </div>
  );
}
