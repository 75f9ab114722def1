import { useState } from 'react';
import { Alert, Badge, Button, Code, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc';
import { useCan } from '../lib/session';
import { errorText, when } from '../lib/format';
import { ConfirmButton } from '../lib/Confirm';

/** Signing keys (rotate), API keys and machine clients: secrets are shown once, at creation. */
export function CredentialsScreen() {
  return (
    <Stack>
      <Title order={1}>Keys and clients</Title>
      <SigningKeys />
      <ApiKeys />
      <MachineClients />
    </Stack>
  );
}

function SigningKeys() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canRead = useCan('signing_keys:read');
  const canRotate = useCan('signing_keys:rotate');
  const keys = useQuery({ ...trpc.signingKeys.list.queryOptions(), enabled: canRead });
  const rotate = useMutation(trpc.signingKeys.rotate.mutationOptions({ onSuccess: () => queryClient.invalidateQueries() }));
  if (!canRead) return null;
  return (
    <Stack>
      <Title order={2}>Signing keys</Title>
      {(keys.error ?? rotate.error) && <Alert color="red.9">{errorText(keys.error ?? rotate.error)}</Alert>}
      {rotate.data && <Alert color="teal.9">New current key {rotate.data.kid}; the previous one keeps verifying until it retires.</Alert>}
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Key id</Table.Th>
            <Table.Th>Algorithm</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Created</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody data-testid="signing-keys">
          {keys.data?.items.map((k) => (
            <Table.Tr key={k.kid}>
              <Table.Td>
                <Code>{k.kid}</Code>
              </Table.Td>
              <Table.Td>{k.alg}</Table.Td>
              <Table.Td>
                <Badge color={k.status === 'current' ? 'teal.9' : 'gray.7'}>{k.status}</Badge>
              </Table.Td>
              <Table.Td>{when(k.createdAt)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Group>
        <ConfirmButton label="Rotate signing key" question="Make a new key current? Tokens signed with the current one stay valid until they expire." disabled={!canRotate} loading={rotate.isPending} onConfirm={() => rotate.mutate({})} />
      </Group>
    </Stack>
  );
}

function ApiKeys() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canRead = useCan('api_keys:read');
  const canWrite = useCan('api_keys:write');
  const [name, setName] = useState('');
  const [role, setRole] = useState('viewer');
  const keys = useQuery({ ...trpc.apiKeys.list.queryOptions({ limit: 100 }), enabled: canRead });
  const create = useMutation(trpc.apiKeys.create.mutationOptions({ onSuccess: () => queryClient.invalidateQueries() }));
  const revoke = useMutation(trpc.apiKeys.revoke.mutationOptions({ onSuccess: () => queryClient.invalidateQueries() }));
  if (!canRead) return null;
  return (
    <Stack>
      <Title order={2}>API keys</Title>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate({ name: name.trim(), role: role.trim() });
        }}
      >
        <Group align="end">
          <TextInput label="Key name" value={name} onChange={(e) => setName(e.currentTarget.value)} disabled={!canWrite} required />
          <TextInput label="Key role" value={role} onChange={(e) => setRole(e.currentTarget.value)} disabled={!canWrite} required />
          <Button type="submit" disabled={!canWrite || !name.trim()} loading={create.isPending}>
            Create API key
          </Button>
        </Group>
      </form>
      {create.data && (
        <Alert color="blue.9" title="The key (shown once)">
          <Code>{create.data.key}</Code>
        </Alert>
      )}
      {(keys.error ?? create.error ?? revoke.error) && <Alert color="red.9">{errorText(keys.error ?? create.error ?? revoke.error)}</Alert>}
      <Table.ScrollContainer minWidth={560}>
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Prefix</Table.Th>
              <Table.Th>Role</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Action</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {keys.data?.items.map((k) => (
              <Table.Tr key={k.id}>
                <Table.Td>{k.name}</Table.Td>
                <Table.Td>
                  <Code>{k.prefix}</Code>
                </Table.Td>
                <Table.Td>{k.role}</Table.Td>
                <Table.Td>{k.status}</Table.Td>
                <Table.Td>
                  <Button size="xs" variant="default" disabled={!canWrite || k.status !== 'active'} onClick={() => revoke.mutate({ id: k.id })}>
                    Revoke
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {keys.data?.items.length === 0 && <Text>No API keys.</Text>}
    </Stack>
  );
}

function MachineClients() {
  const trpc = useTRPC();
  const canRead = useCan('clients:read');
  const clients = useQuery({ ...trpc.clients.list.queryOptions({ limit: 100 }), enabled: canRead });
  if (!canRead) return null;
  return (
    <Stack>
      <Title order={2}>Machine clients</Title>
      {clients.error && <Alert color="red.9">{errorText(clients.error)}</Alert>}
      {clients.data?.items.length === 0 && <Text>No machine clients.</Text>}
      <Table.ScrollContainer minWidth={560}>
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>client_id</Table.Th>
              <Table.Th>Roles</Table.Th>
              <Table.Th>Status</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {clients.data?.items.map((c) => (
              <Table.Tr key={c.id}>
                <Table.Td>{c.name}</Table.Td>
                <Table.Td>
                  <Code>{c.clientId}</Code>
                </Table.Td>
                <Table.Td>{c.roles.join(', ') || '—'}</Table.Td>
                <Table.Td>{c.status}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}
