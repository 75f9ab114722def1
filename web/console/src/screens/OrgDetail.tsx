import { useState } from 'react';
import { Alert, Anchor, Badge, Button, Group, Loader, NativeSelect, Stack, Table, Tabs, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { useTRPC } from '../lib/trpc';
import { useCan, useSession } from '../lib/session';
import { errorText, when } from '../lib/format';
import { teamTree } from './team-tree';
import { OrgDomains } from './OrgDomains';

/** One organization: members, nested teams, invitations (single or a CSV of addresses), domains. */
export function OrgDetail() {
  const { orgId = '' } = useParams();
  const trpc = useTRPC();
  const { tenant } = useSession();
  const org = useQuery(trpc.orgs.get.queryOptions({ orgId }));
  if (org.isPending) return <Loader aria-label="Loading" />;
  if (org.error) return <Alert color="red.9">{errorText(org.error)}</Alert>;
  return (
    <Stack>
      <Anchor component={Link} to={`/t/${tenant}/orgs`}>
        ← Organizations
      </Anchor>
      <Title order={1}>{org.data.name}</Title>
      <Text>
        Slug <b>{org.data.slug}</b> · {org.data.memberCount} members · created {when(org.data.createdAt)}
      </Text>
      <Tabs defaultValue="members" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="members">Members</Tabs.Tab>
          <Tabs.Tab value="teams">Teams</Tabs.Tab>
          <Tabs.Tab value="invitations">Invitations</Tabs.Tab>
          <Tabs.Tab value="domains">Domains</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="members" pt="md">
          <Members orgId={orgId} />
        </Tabs.Panel>
        <Tabs.Panel value="teams" pt="md">
          <Teams orgId={orgId} />
        </Tabs.Panel>
        <Tabs.Panel value="invitations" pt="md">
          <Invitations orgId={orgId} />
        </Tabs.Panel>
        <Tabs.Panel value="domains" pt="md">
          <OrgDomains orgId={orgId} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

function Members({ orgId }: { orgId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canWrite = useCan('members:write');
  const members = useQuery(trpc.orgs.listMembers.queryOptions({ orgId, limit: 100 }));
  const canReadRoles = useCan('roles:read');
  const roles = useQuery({ ...trpc.policies.roles.list.queryOptions({ limit: 100 }), enabled: canReadRoles });
  const remove = useMutation(trpc.orgs.removeMember.mutationOptions({ onSuccess: () => queryClient.invalidateQueries() }));
  // Changing a role goes through orgs.updateMember, which decides again (members:write in this
  // organization; the last owner cannot be demoted) — the disabled select is only a hint.
  const changeRole = useMutation(trpc.orgs.updateMember.mutationOptions({ onSuccess: () => queryClient.invalidateQueries() }));
  const roleNames = [...new Set([...DEFAULT_ROLES, ...(roles.data?.items.map((r) => r.name) ?? [])])];
  if (members.error) return <Alert color="red.9">{errorText(members.error)}</Alert>;
  return (
    <Stack>
      {(remove.error ?? changeRole.error) && <Alert color="red.9">{errorText(remove.error ?? changeRole.error)}</Alert>}
      {changeRole.isSuccess && (
        <Alert color="teal.9">
          {changeRole.data.email} is now {changeRole.data.role}.
        </Alert>
      )}
      <Table.ScrollContainer minWidth={560}>
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Email</Table.Th>
              <Table.Th>Role</Table.Th>
              <Table.Th>Joined</Table.Th>
              <Table.Th>Action</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {members.data?.items.map((m) => (
              <Table.Tr key={m.userId}>
                <Table.Td>{m.email}</Table.Td>
                <Table.Td>
                  <NativeSelect
                    aria-label={`Role of ${m.email}`}
                    size="xs"
                    value={m.role}
                    data={roleNames.includes(m.role) ? roleNames : [m.role, ...roleNames]}
                    disabled={!canWrite || changeRole.isPending}
                    onChange={(e) => changeRole.mutate({ orgId, userId: m.userId, role: e.currentTarget.value })}
                  />
                </Table.Td>
                <Table.Td>{when(m.joinedAt)}</Table.Td>
                <Table.Td>
                  <Button size="xs" variant="default" disabled={!canWrite} onClick={() => remove.mutate({ orgId, userId: m.userId })}>
                    Remove
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}

function Teams({ orgId }: { orgId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canWrite = useCan('teams:write');
  const [name, setName] = useState('');
  const [parentId, setParentId] = useState('');
  const teams = useQuery(trpc.orgs.listTeams.queryOptions({ orgId, limit: 100 }));
  const create = useMutation(
    trpc.orgs.createTeam.mutationOptions({
      onSuccess: () => {
        setName('');
        setParentId('');
        return queryClient.invalidateQueries();
      },
    }),
  );
  const tree = teamTree(teams.data?.items ?? []);
  return (
    <Stack>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate({ orgId, name: name.trim(), parentId: parentId || undefined });
        }}
      >
        <Group align="end">
          <TextInput label="New team name" value={name} onChange={(e) => setName(e.currentTarget.value)} disabled={!canWrite} required />
          <NativeSelect
            label="Under team"
            value={parentId}
            onChange={(e) => setParentId(e.currentTarget.value)}
            disabled={!canWrite}
            data={[{ value: '', label: '— top level —' }, ...tree.map(({ team, depth }) => ({ value: team.id, label: `${'  '.repeat(depth)}${team.name}` }))]}
          />
          <Button type="submit" disabled={!canWrite || !name.trim()} loading={create.isPending}>
            Create team
          </Button>
        </Group>
      </form>
      {(create.error ?? teams.error) && <Alert color="red.9">{errorText(create.error ?? teams.error)}</Alert>}
      <Table aria-label="Teams">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Team</Table.Th>
            <Table.Th>Parent</Table.Th>
            <Table.Th>Roles</Table.Th>
            <Table.Th>Members</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {tree.map(({ team: t, depth, parent }) => (
            <Table.Tr key={t.id} data-depth={depth}>
              <Table.Td pl={`calc(var(--mantine-spacing-xs) + ${depth * 1.25}rem)`}>
                {depth > 0 && <span aria-hidden="true">└ </span>}
                {t.name}
              </Table.Td>
              <Table.Td>{parent ? parent.name : '—'}</Table.Td>
              <Table.Td>{t.roles.join(', ') || '—'}</Table.Td>
              <Table.Td>{t.memberCount}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

const DEFAULT_ROLES = ['viewer', 'member', 'admin', 'owner'];

/** Addresses from pasted CSV: the first column of each line, a header line skipped. */
export function emailsFromCsv(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.split(',')[0]?.trim().replace(/^"|"$/g, '') ?? '')
    .filter((cell) => cell && cell.toLowerCase() !== 'email');
}

function Invitations({ orgId }: { orgId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canWrite = useCan('invitations:write');
  const [email, setEmail] = useState('');
  const [csv, setCsv] = useState('');
  const invitations = useQuery(trpc.invitations.list.queryOptions({ organizationId: orgId, limit: 100 }));
  const refresh = () => queryClient.invalidateQueries();
  const invite = useMutation(
    trpc.invitations.create.mutationOptions({
      onSuccess: () => {
        setEmail('');
        return refresh();
      },
    }),
  );
  const bulk = useMutation(trpc.invitations.bulkCreate.mutationOptions({ onSuccess: refresh }));
  const resend = useMutation(trpc.invitations.resend.mutationOptions({ onSuccess: refresh }));
  const revoke = useMutation(trpc.invitations.revoke.mutationOptions({ onSuccess: refresh }));
  const failure = invite.error ?? bulk.error ?? resend.error ?? revoke.error ?? invitations.error;
  return (
    <Stack>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          invite.mutate({ organizationId: orgId, email: email.trim() });
        }}
      >
        <Group align="end">
          <TextInput label="Invite by email" type="email" value={email} onChange={(e) => setEmail(e.currentTarget.value)} disabled={!canWrite} required w={320} />
          <Button type="submit" disabled={!canWrite || !email.trim()} loading={invite.isPending}>
            Send invitation
          </Button>
        </Group>
      </form>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          bulk.mutate({ organizationId: orgId, invitations: emailsFromCsv(csv).map((address) => ({ email: address })) });
        }}
      >
        <Stack gap="xs" maw={480}>
          <Textarea label="Invite many (CSV, one address per line)" autosize minRows={3} value={csv} onChange={(e) => setCsv(e.currentTarget.value)} disabled={!canWrite} />
          <Group>
            <Button type="submit" variant="outline" disabled={!canWrite || emailsFromCsv(csv).length === 0} loading={bulk.isPending}>
              Invite all
            </Button>
          </Group>
        </Stack>
      </form>
      {bulk.data && (
        <Alert color="blue.9">
          {bulk.data.created} invited, {bulk.data.skipped} skipped
          {bulk.data.results.filter((r) => r.status !== 'created').map((r) => ` · ${r.email}: ${r.status}`)}
        </Alert>
      )}
      {invite.isSuccess && <Alert color="teal.9">Invitation sent to {invite.data.email}.</Alert>}
      {failure && <Alert color="red.9">{errorText(failure)}</Alert>}
      <Table.ScrollContainer minWidth={640}>
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Email</Table.Th>
              <Table.Th>Role</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Expires</Table.Th>
              <Table.Th>Actions</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody data-testid="invitations">
            {invitations.data?.items.map((i) => (
              <Table.Tr key={i.id}>
                <Table.Td>{i.email}</Table.Td>
                <Table.Td>{i.role}</Table.Td>
                <Table.Td>
                  <Badge color={i.status === 'pending' ? 'blue.8' : 'gray.7'}>{i.status}</Badge>
                </Table.Td>
                <Table.Td>{when(i.expiresAt)}</Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    <Button size="xs" variant="default" disabled={!canWrite || i.status !== 'pending'} onClick={() => resend.mutate({ id: i.id })}>
                      Resend
                    </Button>
                    <Button size="xs" variant="default" disabled={!canWrite || i.status !== 'pending'} onClick={() => revoke.mutate({ id: i.id })}>
                      Revoke
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}
