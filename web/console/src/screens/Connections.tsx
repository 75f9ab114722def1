import { useState } from 'react';
import { Alert, Badge, Button, Checkbox, Code, Group, Modal, PasswordInput, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc';
import { useCan } from '../lib/session';
import { ConfirmButton } from '../lib/Confirm';
import { errorText } from '../lib/format';
import { PasskeySettings } from './PasskeySettings';

type Provider = 'google' | 'github' | 'microsoft' | 'oidc';
const PROVIDERS: { value: Provider; label: string }[] = [
  { value: 'google', label: 'Google' },
  { value: 'github', label: 'GitHub' },
  { value: 'microsoft', label: 'Microsoft' },
  { value: 'oidc', label: 'OpenID Connect (Okta, Entra ID, Auth0, Keycloak …)' },
];

interface Connection {
  id: string;
  slug: string;
  provider: Provider;
  name: string;
  clientId: string;
  issuer: string | null;
  allowSignUp: boolean;
  enabled: boolean;
  redirectUri: string;
}

/**
 * Sign-in connections (social and enterprise OpenID Connect) and passkey settings. Client secrets
 * are write-only: typed here, sealed by the api, never shown again. Owners change connections
 * (connections:write); admins read them; every call is the api's decision again.
 */
export function ConnectionsScreen() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canWrite = useCan('connections:write');
  const [editing, setEditing] = useState<Connection | null>(null);
  const list = useQuery(trpc.connections.list.queryOptions({}));
  const refresh = () => queryClient.invalidateQueries();
  const update = useMutation(trpc.connections.update.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.connections.delete.mutationOptions({ onSuccess: refresh }));
  const failure = list.error ?? update.error ?? remove.error;
  return (
    <Stack>
      <Title order={1}>Connections and passkeys</Title>
      <Title order={2} size="h3">
        Sign-in connections
      </Title>
      {!canWrite && <Text size="sm">Read-only: changing connections needs connections:write (tenant owners).</Text>}
      <AddConnection disabled={!canWrite} onAdded={refresh} />
      {failure && <Alert color="red.9">{errorText(failure)}</Alert>}
      <Table.ScrollContainer minWidth={760}>
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Provider</Table.Th>
              <Table.Th>Client ID</Table.Th>
              <Table.Th>Redirect URI</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Actions</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody data-testid="connections">
            {list.data?.items.map((c) => (
              <Table.Tr key={c.id} data-connection={c.slug}>
                <Table.Td>
                  {c.name} <Text span size="xs">({c.slug})</Text>
                </Table.Td>
                <Table.Td>{c.provider}</Table.Td>
                <Table.Td>
                  <Code>{c.clientId}</Code>
                </Table.Td>
                <Table.Td>
                  <Code>{c.redirectUri}</Code>
                </Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>
                  <Group gap={4} wrap="nowrap">
                    <Badge color={c.enabled ? 'teal.9' : 'gray.7'}>{c.enabled ? 'enabled' : 'disabled'}</Badge>
                    {!c.allowSignUp && <Badge color="gray.7">no sign-up</Badge>}
                  </Group>
                </Table.Td>
                <Table.Td>
                  <Group gap="xs" wrap="nowrap">
                    <Button size="xs" variant="default" disabled={!canWrite} onClick={() => setEditing(c)} aria-label={`Edit ${c.name}`}>
                      Edit
                    </Button>
                    <Button size="xs" variant="default" disabled={!canWrite} loading={update.isPending && update.variables?.id === c.id} onClick={() => update.mutate({ id: c.id, enabled: !c.enabled })} aria-label={`${c.enabled ? 'Disable' : 'Enable'} ${c.name}`}>
                      {c.enabled ? 'Disable' : 'Enable'}
                    </Button>
                    <ConfirmButton label={`Delete ${c.name}`} question={`Delete ${c.name}? People linked only through it lose that way to sign in.`} disabled={!canWrite} onConfirm={() => remove.mutate({ id: c.id })} />
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {list.data?.items.length === 0 && <Text>No sign-in connection yet.</Text>}
      {editing && <EditConnection connection={editing} onClose={() => setEditing(null)} onSaved={refresh} />}
      <PasskeySettings />
    </Stack>
  );
}

function AddConnection({ disabled, onAdded }: { disabled: boolean; onAdded: () => unknown }) {
  const trpc = useTRPC();
  const empty = { provider: 'google' as Provider, slug: '', name: '', clientId: '', clientSecret: '', issuer: '', allowSignUp: true };
  const [form, setForm] = useState(empty);
  const create = useMutation(
    trpc.connections.create.mutationOptions({
      onSuccess: () => {
        setForm(empty);
        return onAdded();
      },
    }),
  );
  const field = (name: string) => (create.error?.data as { fields?: { path: string; message: string }[] } | undefined)?.fields?.find((f) => f.path === name)?.message;
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate({
          provider: form.provider,
          slug: form.slug.trim(),
          name: form.name.trim() || undefined,
          clientId: form.clientId.trim(),
          clientSecret: form.clientSecret,
          issuer: form.issuer.trim() || undefined,
          allowSignUp: form.allowSignUp,
        });
      }}
    >
      {/* Field errors in red.9: Mantine's default error red fails WCAG AA contrast (axe). */}
      <Stack maw={560} gap="sm" style={{ '--mantine-color-error': 'var(--mantine-color-red-9)' } as React.CSSProperties}>
        <Select label="Provider" data={PROVIDERS} value={form.provider} allowDeselect={false} onChange={(v) => setForm({ ...form, provider: (v ?? 'google') as Provider })} disabled={disabled} />
        <Group grow>
          <TextInput label="Slug" description="In the sign-in URL" value={form.slug} onChange={(e) => setForm({ ...form, slug: e.currentTarget.value })} error={field('slug')} disabled={disabled} required />
          <TextInput label="Button name" description="Default: the provider" value={form.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} error={field('name')} disabled={disabled} />
        </Group>
        <TextInput label="Client ID" value={form.clientId} onChange={(e) => setForm({ ...form, clientId: e.currentTarget.value })} error={field('clientId')} disabled={disabled} required />
        <PasswordInput label="Client secret" description="Sealed at rest; never shown again" autoComplete="off" value={form.clientSecret} onChange={(e) => setForm({ ...form, clientSecret: e.currentTarget.value })} error={field('clientSecret')} disabled={disabled} required />
        <TextInput
          label="Issuer URL"
          description={form.provider === 'oidc' ? 'Required: the OpenID Connect issuer' : 'Optional: overrides the preset (e.g. one Entra ID directory)'}
          value={form.issuer}
          onChange={(e) => setForm({ ...form, issuer: e.currentTarget.value })}
          error={field('issuer')}
          disabled={disabled || form.provider === 'github'}
        />
        <Checkbox label="Create accounts for new people" checked={form.allowSignUp} onChange={(e) => setForm({ ...form, allowSignUp: e.currentTarget.checked })} disabled={disabled} />
        {create.error && !field('slug') && !field('issuer') && !field('clientId') && <Alert color="red.9">{errorText(create.error)}</Alert>}
        <Group>
          <Button type="submit" disabled={disabled || !form.slug.trim() || !form.clientId.trim() || !form.clientSecret} loading={create.isPending}>
            Add connection
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function EditConnection({ connection, onClose, onSaved }: { connection: Connection; onClose: () => void; onSaved: () => unknown }) {
  const trpc = useTRPC();
  const [form, setForm] = useState({ name: connection.name, clientId: connection.clientId, clientSecret: '', issuer: connection.issuer ?? '', allowSignUp: connection.allowSignUp });
  const save = useMutation(
    trpc.connections.update.mutationOptions({
      onSuccess: async () => {
        await onSaved();
        onClose();
      },
    }),
  );
  return (
    <Modal opened onClose={onClose} title={`Edit ${connection.name}`} centered closeButtonProps={{ 'aria-label': 'Close' }}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate({
            id: connection.id,
            name: form.name.trim(),
            clientId: form.clientId.trim(),
            // Blank keeps the sealed secret: it is never sent back to be edited.
            ...(form.clientSecret ? { clientSecret: form.clientSecret } : {}),
            ...(connection.provider !== 'github' && form.issuer.trim() ? { issuer: form.issuer.trim() } : {}),
            allowSignUp: form.allowSignUp,
          });
        }}
      >
        <Stack gap="sm">
          <TextInput label="Button name" value={form.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} required />
          <TextInput label="Client ID" value={form.clientId} onChange={(e) => setForm({ ...form, clientId: e.currentTarget.value })} required />
          <PasswordInput label="New client secret" description="Leave blank to keep the current one" autoComplete="off" value={form.clientSecret} onChange={(e) => setForm({ ...form, clientSecret: e.currentTarget.value })} />
          {connection.provider !== 'github' && <TextInput label="Issuer URL" value={form.issuer} onChange={(e) => setForm({ ...form, issuer: e.currentTarget.value })} />}
          <Checkbox label="Create accounts for new people" checked={form.allowSignUp} onChange={(e) => setForm({ ...form, allowSignUp: e.currentTarget.checked })} />
          {save.error && <Alert color="red.9">{errorText(save.error)}</Alert>}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending}>
              Save
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
