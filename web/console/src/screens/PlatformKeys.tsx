import { useState } from 'react';
import { Alert, Badge, Button, Code, CopyButton, Group, Modal, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc';
import { useSession } from '../lib/session';
import { errorText, when } from '../lib/format';

interface KeyRow {
  id: string;
  name: string;
  prefix: string;
  status: 'active' | 'revoked';
  current: boolean;
}

/**
 * Platform operators: the installation's platform keys — create (the secret is shown once, in a
 * dialog), list, revoke. Revoking the key one is signed in with ends one's own session, so it is
 * asked separately; the server refuses the last live key whatever the screen offers.
 */
export function PlatformKeysScreen() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const session = useSession();
  const [name, setName] = useState('');
  const [revoking, setRevoking] = useState<KeyRow | null>(null);
  const keys = useQuery({ ...trpc.platformKeys.list.queryOptions({ limit: 100 }), enabled: session.isPlatformOperator });
  const create = useMutation(
    trpc.platformKeys.create.mutationOptions({
      onSuccess: () => {
        setName('');
        return queryClient.invalidateQueries();
      },
    }),
  );
  const revoke = useMutation(
    trpc.platformKeys.revoke.mutationOptions({
      onSuccess: (key) => {
        // Revoking one's own key ended this session: back to the operator sign-in.
        if (key.current) window.location.assign('/admin/operator/sign-in');
        else return queryClient.invalidateQueries();
      },
    }),
  );
  if (!session.isPlatformOperator) return <Alert color="red.9">Only platform operators manage platform keys.</Alert>;
  const failure = keys.error ?? create.error ?? revoke.error;
  const live = keys.data?.items.filter((k) => k.status === 'active').length ?? 0;
  return (
    <Stack>
      <Title order={1}>Platform keys</Title>
      <Text size="sm">
        A platform key is an operator's credential for the whole installation: it manages every tenant over the API and signs in to this console.
        Only a hash is kept, so a key is shown once, when it is created.
      </Text>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate({ name: name.trim() });
        }}
      >
        <Group align="end">
          <TextInput label="Key name" description="Who or what uses it" value={name} onChange={(e) => setName(e.currentTarget.value)} required maxLength={100} />
          <Button type="submit" disabled={!name.trim()} loading={create.isPending}>
            Create platform key
          </Button>
        </Group>
      </form>
      {failure && <Alert color="red.9">{errorText(failure)}</Alert>}
      <Table.ScrollContainer minWidth={720}>
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Prefix</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th>Last used</Table.Th>
              <Table.Th>Action</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody data-testid="platform-keys">
            {keys.data?.items.map((k) => (
              <Table.Tr key={k.id}>
                <Table.Td>
                  {k.name} {k.current && <Badge color="indigo.9" variant="outline">yours</Badge>}
                </Table.Td>
                <Table.Td>
                  <Code>{k.prefix}…</Code>
                </Table.Td>
                <Table.Td>
                  <Badge color={k.status === 'active' ? 'teal.9' : 'gray.7'}>{k.status}</Badge>
                </Table.Td>
                <Table.Td>{when(k.createdAt)}</Table.Td>
                <Table.Td>{when(k.lastUsedAt)}</Table.Td>
                <Table.Td>
                  <Button
                    size="xs"
                    variant="default"
                    aria-label={`Revoke ${k.name}`}
                    disabled={k.status !== 'active' || live <= 1}
                    title={live <= 1 && k.status === 'active' ? 'The last live key cannot be revoked' : undefined}
                    onClick={() => setRevoking(k)}
                  >
                    Revoke
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {create.data && <CreatedKey name={create.data.name} secret={create.data.key} onClose={() => create.reset()} />}
      {revoking && (
        <RevokeKey
          target={revoking}
          onClose={() => setRevoking(null)}
          onConfirm={() => {
            revoke.mutate({ id: revoking.id, ...(revoking.current ? { confirmOwnKey: true } : {}) });
            setRevoking(null);
          }}
        />
      )}
    </Stack>
  );
}

/** The new key's secret, this once: copy it now, it cannot be shown again. */
function CreatedKey({ name, secret, onClose }: { name: string; secret: string; onClose: () => void }) {
  return (
    <Modal opened onClose={onClose} title={`Platform key “${name}”`} centered closeButtonProps={{ 'aria-label': 'Close' }}>
      <Stack>
        <Text>Copy the key now: only its hash is kept, so it will not be shown again.</Text>
        <Code block data-testid="new-platform-key">
          {secret}
        </Code>
        <Group justify="flex-end">
          <CopyButton value={secret}>{({ copied, copy }) => <Button onClick={copy}>{copied ? 'Copied' : 'Copy key'}</Button>}</CopyButton>
          <Button variant="default" onClick={onClose}>
            Done
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function RevokeKey({ target, onClose, onConfirm }: { target: KeyRow; onClose: () => void; onConfirm: () => void }) {
  return (
    <Modal opened onClose={onClose} title={`Revoke ${target.name}`} centered closeButtonProps={{ 'aria-label': 'Close' }}>
      <Stack>
        <Text>Calls made with this key are refused from now on, and every console session signed in with it ends at once.</Text>
        {target.current && (
          <Alert color="red.9" title="This is the key you are signed in with">
            Revoking it signs you out. You will need another platform key to sign in again.
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button color="red.9" onClick={onConfirm}>
            {target.current ? 'Revoke my key and sign out' : 'Revoke key'}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
