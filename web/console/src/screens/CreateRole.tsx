import { useState } from 'react';
import { Alert, Button, Card, Group, MultiSelect, Stack, TagsInput, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc';
import { useCan } from '../lib/session';
import { errorText } from '../lib/format';

/**
 * A new role: its name, the roles it inherits from, and its permissions (catalog entries, or the
 * application's own `resource:action` strings typed in). The server refuses granting what the
 * caller does not hold and names the field at fault. roles:write.
 */
export function CreateRole({ roleNames }: { roleNames: string[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canWrite = useCan('roles:write');
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [parents, setParents] = useState<string[]>([]);
  const [permissions, setPermissions] = useState<string[]>([]);
  const catalog = useQuery(trpc.policies.permissions.queryOptions());
  const create = useMutation(
    trpc.policies.roles.create.mutationOptions({
      onSuccess: () => {
        setName('');
        setDescription('');
        setParents([]);
        setPermissions([]);
        return queryClient.invalidateQueries();
      },
    }),
  );
  const suggestions = (catalog.data?.items ?? []).map((p) => p.permission);
  return (
    <Card withBorder>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate({ name: name.trim(), description: description.trim() || undefined, parents, permissions });
        }}
      >
        <Stack gap="sm">
          <Title order={3} size="h4">
            New role
          </Title>
          {create.error && (
            <Alert color="red.9" title="Not created">
              {errorText(create.error)}
            </Alert>
          )}
          {create.isSuccess && <Alert color="teal.9">Role {create.data.name} created.</Alert>}
          <Group grow align="start" preventGrowOverflow={false} wrap="wrap">
            <TextInput label="Role name" value={name} onChange={(e) => setName(e.currentTarget.value)} required miw={200} />
            <TextInput label="Role description" value={description} onChange={(e) => setDescription(e.currentTarget.value)} miw={200} />
          </Group>
          <MultiSelect label="Inherits from" data={roleNames} value={parents} onChange={setParents} searchable clearable />
          <TagsInput
            label="Permissions"
            description="Pick from the catalog or type your application's own (resource:action), Enter to add"
            data={suggestions}
            value={permissions}
            onChange={setPermissions}
            clearable
          />
          <Group justify="flex-end">
            <Button type="submit" disabled={!canWrite || !name.trim()} loading={create.isPending}>
              Create role
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
