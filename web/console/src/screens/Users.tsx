import { useState } from 'react';
import { Alert, Anchor, Badge, Button, Group, Select, Stack, Table, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useTRPC } from '../lib/trpc';
import { useSession } from '../lib/session';
import { errorText, when } from '../lib/format';
import { CreateUser } from './CreateUser';

/** Users of the tenant: search by email or name, filter by status, keyset pages. */
export function UsersScreen() {
  const trpc = useTRPC();
  const { tenant } = useSession();
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState<string | null>('all');
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [debounced] = useDebouncedValue(search.trim(), 250);
  const cursor = cursors[cursors.length - 1];
  const input = {
    limit: 25,
    cursor,
    ...(debounced ? { search: debounced } : {}),
    ...(status === 'disabled' ? { disabled: 'true' as const } : status === 'enabled' ? { disabled: 'false' as const } : {}),
  };
  const users = useQuery({ ...trpc.users.list.queryOptions(input), placeholderData: keepPreviousData });
  const restart = () => setCursors([undefined]);
  return (
    <Stack>
      <Title order={1}>Users</Title>
      <CreateUser />
      <Group align="end">
        <TextInput
          label="Search"
          placeholder="Email or name"
          value={search}
          onChange={(e) => {
            setSearch(e.currentTarget.value);
            restart();
          }}
          w={320}
        />
        <Select
          label="Status"
          data={[
            { value: 'all', label: 'All' },
            { value: 'enabled', label: 'Enabled' },
            { value: 'disabled', label: 'Disabled' },
          ]}
          value={status}
          allowDeselect={false}
          onChange={(v) => {
            setStatus(v);
            restart();
          }}
          w={160}
        />
      </Group>
      {users.error && <Alert color="red.9">{errorText(users.error)}</Alert>}
      <Table.ScrollContainer minWidth={640}>
        <Table striped highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Email</Table.Th>
              <Table.Th>Name</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Last sign-in</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {users.data?.items.map((u) => (
              <Table.Tr key={u.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/t/${tenant}/users/${u.id}`}>
                    {u.email}
                  </Anchor>
                </Table.Td>
                <Table.Td>{u.displayName ?? '—'}</Table.Td>
                <Table.Td>
                  <UserStatus disabled={u.disabled} verified={u.emailVerified} />
                </Table.Td>
                <Table.Td>{when(u.lastSignInAt)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Group>
        <Button variant="default" disabled={cursors.length < 2} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Previous page
        </Button>
        <Button variant="default" disabled={!users.data?.nextCursor} onClick={() => setCursors((c) => [...c, users.data!.nextCursor!])}>
          Next page
        </Button>
      </Group>
    </Stack>
  );
}

export function UserStatus({ disabled, verified }: { disabled: boolean; verified: boolean }) {
  return (
    <Group gap={4}>
      {disabled ? <Badge color="red.9">Disabled</Badge> : <Badge color="teal.9">Active</Badge>}
      {!verified && (
        <Badge color="gray.7" variant="outline">
          Unverified
        </Badge>
      )}
    </Group>
  );
}
