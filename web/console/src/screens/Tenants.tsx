import { useState } from 'react';
import { Alert, Anchor, Badge, Button, Group, Stack, Table, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useTRPC } from '../lib/trpc';
import { useSession } from '../lib/session';
import { errorText, when } from '../lib/format';

/** Platform operators: every tenant — create, disable, enable, switch into. */
export function TenantsScreen() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const session = useSession();
  const [slug, setSlug] = useState('');
  const [name, setName] = useState('');
  const tenants = useQuery({ ...trpc.tenants.list.queryOptions({ limit: 100 }), enabled: session.isPlatformOperator });
  const refresh = () => queryClient.invalidateQueries();
  const create = useMutation(
    trpc.tenants.create.mutationOptions({
      onSuccess: () => {
        setSlug('');
        setName('');
        return refresh();
      },
    }),
  );
  const disable = useMutation(trpc.tenants.disable.mutationOptions({ onSuccess: refresh }));
  const enable = useMutation(trpc.tenants.enable.mutationOptions({ onSuccess: refresh }));
  if (!session.isPlatformOperator) return <Alert color="red.9">Only platform operators manage tenants.</Alert>;
  const failure = tenants.error ?? create.error ?? disable.error ?? enable.error;
  return (
    <Stack>
      <Title order={1}>Tenants</Title>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate({ slug: slug.trim(), name: name.trim() || slug.trim() });
        }}
      >
        <Group align="end">
          <TextInput label="Tenant slug" value={slug} onChange={(e) => setSlug(e.currentTarget.value)} required />
          <TextInput label="Tenant name" value={name} onChange={(e) => setName(e.currentTarget.value)} />
          <Button type="submit" disabled={!slug.trim()} loading={create.isPending}>
            Create tenant
          </Button>
        </Group>
      </form>
      {failure && <Alert color="red.9">{errorText(failure)}</Alert>}
      <Table.ScrollContainer minWidth={560}>
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Slug</Table.Th>
              <Table.Th>Name</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th>Action</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody data-testid="tenants">
            {tenants.data?.items.map((t) => (
              <Table.Tr key={t.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/t/${t.slug}`}>
                    {t.slug}
                  </Anchor>
                </Table.Td>
                <Table.Td>{t.name}</Table.Td>
                <Table.Td>
                  <Badge color={t.status === 'active' ? 'teal.9' : 'red.9'}>{t.status}</Badge>
                </Table.Td>
                <Table.Td>{when(t.createdAt)}</Table.Td>
                <Table.Td>
                  {t.status === 'active' ? (
                    <Button size="xs" variant="default" disabled={t.slug === 'default'} onClick={() => disable.mutate({ tenantId: t.id })}>
                      Disable
                    </Button>
                  ) : (
                    <Button size="xs" variant="default" onClick={() => enable.mutate({ tenantId: t.id })}>
                      Enable
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}
