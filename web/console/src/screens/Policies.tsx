import { useState } from 'react';
import { Alert, Badge, Button, Code, Group, JsonInput, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc';
import { useCan } from '../lib/session';
import { errorText } from '../lib/format';
import { CreateRole } from './CreateRole';

const TEMPLATE = JSON.stringify({ name: 'deny-invoices-for-contractors', effect: 'deny', priority: 10, subjects: ['role:contractor'], actions: ['invoices:read'], resources: ['*'] }, null, 2);

/**
 * Roles (read) and policies (create, edit as JSON, delete). The server validates every document
 * (patterns, conditions, "nobody grants what they do not hold") and names the field at fault.
 */
export function PoliciesScreen() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canWrite = useCan('policies:write');
  const canReadRoles = useCan('roles:read');
  const [editing, setEditing] = useState<string | null>(null);
  const [doc, setDoc] = useState(TEMPLATE);
  const [parseError, setParseError] = useState<string | null>(null);
  const policies = useQuery(trpc.policies.list.queryOptions({ limit: 100 }));
  const roles = useQuery({ ...trpc.policies.roles.list.queryOptions({ limit: 100 }), enabled: canReadRoles });
  const done = async () => {
    setEditing(null);
    setDoc(TEMPLATE);
    await queryClient.invalidateQueries();
  };
  const create = useMutation(trpc.policies.create.mutationOptions({ onSuccess: done }));
  const update = useMutation(trpc.policies.update.mutationOptions({ onSuccess: done }));
  const remove = useMutation(trpc.policies.delete.mutationOptions({ onSuccess: done }));
  const failure = create.error ?? update.error ?? remove.error ?? policies.error;

  const save = () => {
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(doc) as Record<string, unknown>;
      setParseError(null);
    } catch {
      setParseError('Not valid JSON');
      return;
    }
    if (editing) update.mutate({ ...(parsed as object), id: editing } as Parameters<typeof update.mutate>[0]);
    else create.mutate(parsed as Parameters<typeof create.mutate>[0]);
  };

  return (
    <Stack>
      <Title order={1}>Roles and policies</Title>
      <Title order={2}>Policies</Title>
      {failure && <Alert color="red.9" title="Refused">{errorText(failure)}</Alert>}
      <Table.ScrollContainer minWidth={720}>
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Effect</Table.Th>
              <Table.Th>Priority</Table.Th>
              <Table.Th>Subjects → actions on resources</Table.Th>
              <Table.Th>Actions</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody data-testid="policies">
            {policies.data?.items.map((p) => (
              <Table.Tr key={p.id}>
                <Table.Td>{p.name}</Table.Td>
                <Table.Td>
                  <Badge color={p.effect === 'allow' ? 'teal.9' : 'red.9'}>{p.effect}</Badge>
                </Table.Td>
                <Table.Td>{p.priority}</Table.Td>
                <Table.Td>
                  <Code>{p.subjects.join(', ')}</Code> → <Code>{p.actions.join(', ')}</Code> on <Code>{p.resources.join(', ')}</Code>
                </Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    <Button
                      size="xs"
                      variant="default"
                      disabled={!canWrite}
                      onClick={() => {
                        setEditing(p.id);
                        const { name, description, effect, priority, subjects, actions, resources, conditions } = p;
                        setDoc(JSON.stringify({ name, description: description ?? undefined, effect, priority, subjects, actions, resources, conditions: conditions ?? undefined }, null, 2));
                      }}
                    >
                      Edit
                    </Button>
                    <Button size="xs" variant="default" disabled={!canWrite} onClick={() => remove.mutate({ id: p.id })}>
                      Delete
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {policies.data?.items.length === 0 && <Text>No policies yet: roles alone decide.</Text>}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save();
        }}
      >
        <Stack maw={720}>
          <JsonInput
            label={editing ? 'Edit policy (JSON)' : 'New policy (JSON)'}
            description="name, effect (allow/deny), priority, subjects (role:…, user:…), actions, resources, optional conditions"
            value={doc}
            onChange={setDoc}
            error={parseError}
            autosize
            minRows={8}
            disabled={!canWrite}
          />
          <Group>
            <Button type="submit" disabled={!canWrite} loading={create.isPending || update.isPending}>
              {editing ? 'Save policy' : 'Create policy'}
            </Button>
            {editing && (
              <Button variant="default" onClick={() => void done()}>
                Cancel
              </Button>
            )}
          </Group>
        </Stack>
      </form>

      <Title order={2}>Roles</Title>
      {!canReadRoles && <Text>Your role cannot list roles (roles:read).</Text>}
      <CreateRole roleNames={roles.data?.items.map((r) => r.name) ?? []} />
      <Table.ScrollContainer minWidth={640}>
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Role</Table.Th>
              <Table.Th>Inherits</Table.Th>
              <Table.Th>Permissions</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody data-testid="roles">
            {roles.data?.items.map((r) => (
              <Table.Tr key={r.id}>
                <Table.Td>
                  {r.name} {r.builtin && <Badge color="gray.7">built-in</Badge>}
                </Table.Td>
                <Table.Td>{r.parents.join(', ') || '—'}</Table.Td>
                <Table.Td>
                  <Text size="sm">{r.permissions.join(', ') || '—'}</Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}
