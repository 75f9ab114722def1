import { Anchor, Badge, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useTRPC } from '../lib/trpc';
import { useCan, useSession } from '../lib/session';
import { errorText, when } from '../lib/format';

/** The user's linked external identities (social sign-in). users:read. */
export function UserIdentities({ userId }: { userId: string }) {
  const trpc = useTRPC();
  const identities = useQuery(trpc.users.identities.queryOptions({ userId }));
  return (
    <>
      <Title order={2}>Identities</Title>
      {identities.error && <Text c="red.9">{errorText(identities.error)}</Text>}
      {identities.data?.items.length === 0 && <Text>No linked identities (password, magic link or passkeys only).</Text>}
      {!!identities.data?.items.length && (
        <Table.ScrollContainer minWidth={520}>
          <Table data-testid="user-identities">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Connection</Table.Th>
                <Table.Th>Email</Table.Th>
                <Table.Th>Linked</Table.Th>
                <Table.Th>Last used</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {identities.data.items.map((i) => (
                <Table.Tr key={i.id}>
                  <Table.Td>
                    {i.name || i.connection} <Badge variant="outline" color="gray.7">{i.provider}</Badge>
                  </Table.Td>
                  <Table.Td>{i.email ?? '—'}</Table.Td>
                  <Table.Td>{when(i.createdAt)}</Table.Td>
                  <Table.Td>{when(i.lastUsedAt)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </>
  );
}

/** The organizations the user belongs to, with their role in each. organizations:read. */
export function UserOrganizations({ userId }: { userId: string }) {
  const trpc = useTRPC();
  const { tenant } = useSession();
  const canRead = useCan('organizations:read');
  const orgs = useQuery({ ...trpc.orgs.listForUser.queryOptions({ userId, limit: 50 }), enabled: canRead });
  return (
    <>
      <Title order={2}>Organizations</Title>
      {!canRead && <Text>You may not see every organization (organizations:read).</Text>}
      {orgs.error && <Text c="red.9">{errorText(orgs.error)}</Text>}
      {orgs.data?.items.length === 0 && <Text>Not a member of any organization.</Text>}
      {!!orgs.data?.items.length && (
        <Table.ScrollContainer minWidth={400}>
          <Table data-testid="user-organizations">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Organization</Table.Th>
                <Table.Th>Role</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {orgs.data.items.map((o) => (
                <Table.Tr key={o.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/t/${tenant}/orgs/${o.id}`}>
                      {o.name}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{o.role ?? '—'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </>
  );
}
