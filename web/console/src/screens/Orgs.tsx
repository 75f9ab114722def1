import { useState } from 'react';
import { Alert, Anchor, Button, Group, Stack, Table, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router';
import { useTRPC } from '../lib/trpc';
import { useCan, useSession } from '../lib/session';
import { errorText, when } from '../lib/format';

/** Organizations: all of the tenant's for tenant-wide readers, else the person's own. */
export function OrgsScreen() {
  const trpc = useTRPC();
  const { tenant } = useSession();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const canCreate = useCan('organizations:create');
  const [search, setSearch] = useState('');
  const [name, setName] = useState('');
  const orgs = useQuery(trpc.orgs.list.queryOptions({ limit: 50, ...(search.trim() ? { search: search.trim() } : {}) }));
  const create = useMutation(
    trpc.orgs.create.mutationOptions({
      onSuccess: async (org) => {
        await queryClient.invalidateQueries();
        navigate(`/t/${tenant}/orgs/${org.id}`);
      },
    }),
  );
  return (
    <Stack>
      <Title order={1}>Organizations</Title>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate({ name: name.trim() });
        }}
      >
        <Group align="end">
          <TextInput label="New organization name" value={name} onChange={(e) => setName(e.currentTarget.value)} disabled={!canCreate} required w={320} />
          <Button type="submit" disabled={!canCreate || !name.trim()} loading={create.isPending}>
            Create organization
          </Button>
        </Group>
      </form>
      {create.error && <Alert color="red">{errorText(create.error)}</Alert>}
      <TextInput label="Search" placeholder="Name or slug" value={search} onChange={(e) => setSearch(e.currentTarget.value)} w={320} />
      {orgs.error && <Alert color="red">{errorText(orgs.error)}</Alert>}
      <Table.ScrollContainer minWidth={560}>
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Slug</Table.Th>
              <Table.Th>Your role</Table.Th>
              <Table.Th>Created</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {orgs.data?.items.map((o) => (
              <Table.Tr key={o.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/t/${tenant}/orgs/${o.id}`}>
                    {o.name}
                  </Anchor>
                </Table.Td>
                <Table.Td>{o.slug}</Table.Td>
                <Table.Td>{o.role ?? '—'}</Table.Td>
                <Table.Td>{when(o.createdAt)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}
