import { useState } from 'react';
import { Alert, Badge, Button, Code, Group, Select, Stack, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc';
import { useCan } from '../lib/session';
import { errorText } from '../lib/format';
import { ApplicationEditor } from './ApplicationEditor';

const lines = (text: string) => text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);

/** OpenID Connect applications: register (a web app's secret is shown once), list, revoke. */
export function ApplicationsScreen() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canWrite = useCan('applications:write');
  const [name, setName] = useState('');
  const [type, setType] = useState<'web' | 'spa' | 'native'>('web');
  const [redirects, setRedirects] = useState('');
  const [editing, setEditing] = useState<string | null>(null);
  const apps = useQuery(trpc.applications.list.queryOptions({ limit: 100 }));
  const refresh = () => queryClient.invalidateQueries();
  const create = useMutation(trpc.applications.create.mutationOptions({ onSuccess: refresh }));
  const revoke = useMutation(trpc.applications.revoke.mutationOptions({ onSuccess: refresh }));
  const failure = apps.error ?? create.error ?? revoke.error;
  return (
    <Stack>
      <Title order={1}>Applications</Title>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate({ name: name.trim(), type, redirectUris: lines(redirects) });
        }}
      >
        <Stack maw={560}>
          <TextInput label="Application name" value={name} onChange={(e) => setName(e.currentTarget.value)} disabled={!canWrite} required />
          <Select
            label="Application type"
            data={[
              { value: 'web', label: 'Web (server-side, gets a secret)' },
              { value: 'spa', label: 'Single-page app (public, PKCE)' },
              { value: 'native', label: 'Native (public, PKCE)' },
            ]}
            value={type}
            allowDeselect={false}
            onChange={(v) => setType((v ?? 'web') as typeof type)}
            disabled={!canWrite}
          />
          <Textarea label="Redirect URIs (one per line)" autosize minRows={2} value={redirects} onChange={(e) => setRedirects(e.currentTarget.value)} disabled={!canWrite} />
          <Group>
            <Button type="submit" disabled={!canWrite || !name.trim()} loading={create.isPending}>
              Register application
            </Button>
          </Group>
        </Stack>
      </form>
      {create.data && (
        <Alert color="blue.9" title={`Registered ${create.data.name}`}>
          client_id <Code>{create.data.clientId}</Code>
          {create.data.clientSecret && (
            <>
              {' '}
              · client secret (shown once) <Code data-testid="client-secret">{create.data.clientSecret}</Code>
            </>
          )}
        </Alert>
      )}
      {failure && <Alert color="red.9">{errorText(failure)}</Alert>}
      <Table.ScrollContainer minWidth={640}>
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Type</Table.Th>
              <Table.Th>client_id</Table.Th>
              <Table.Th>Redirect URIs</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Action</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody data-testid="applications">
            {apps.data?.items.map((a) => (
              <Table.Tr key={a.id}>
                <Table.Td>{a.name}</Table.Td>
                <Table.Td>{a.type}</Table.Td>
                <Table.Td>
                  <Code>{a.clientId}</Code>
                </Table.Td>
                <Table.Td>{a.redirectUris.join(', ') || '—'}</Table.Td>
                <Table.Td>
                  <Badge color={a.status === 'active' ? 'teal.9' : 'gray.7'}>{a.status}</Badge>
                </Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    <Button size="xs" variant="default" disabled={a.status !== 'active'} onClick={() => setEditing(a.id)}>
                      Edit
                    </Button>
                    <Button size="xs" variant="default" disabled={!canWrite || a.status !== 'active'} onClick={() => revoke.mutate({ id: a.id })}>
                      Revoke
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {apps.data?.items.length === 0 && <Text>No applications registered.</Text>}
      {editing && apps.data?.items.some((a) => a.id === editing) && (
        <ApplicationEditor key={editing} app={apps.data.items.find((a) => a.id === editing)!} onClose={() => setEditing(null)} />
      )}
    </Stack>
  );
}
