import { useState } from 'react';
import { Alert, Badge, Button, Code, Group, JsonInput, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc';
import { errorText } from '../lib/format';

/** The evaluate/explain playground: subject, action, resource, context → decision and its trace. */
export function PlaygroundScreen() {
  const trpc = useTRPC();
  const [subject, setSubject] = useState('');
  const [action, setAction] = useState('');
  const [resource, setResource] = useState('*');
  const [context, setContext] = useState('{}');
  const [contextError, setContextError] = useState<string | null>(null);
  const evaluate = useMutation(trpc.policies.evaluate.mutationOptions());
  return (
    <Stack>
      <Title order={1}>Policy playground</Title>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          let parsed: Record<string, unknown>;
          try {
            parsed = context.trim() ? (JSON.parse(context) as Record<string, unknown>) : {};
            setContextError(null);
          } catch {
            setContextError('Context must be a JSON object');
            return;
          }
          evaluate.mutate({ subject: subject.trim(), action: action.trim(), resource: resource.trim(), context: parsed, explain: true });
        }}
      >
        <Stack maw={640}>
          <TextInput label="Subject" placeholder="user:<id>" value={subject} onChange={(e) => setSubject(e.currentTarget.value)} required />
          <TextInput label="Action" placeholder="invoices:read" value={action} onChange={(e) => setAction(e.currentTarget.value)} required />
          <TextInput label="Resource" placeholder="invoice:42" value={resource} onChange={(e) => setResource(e.currentTarget.value)} required />
          <JsonInput label="Context (JSON)" value={context} onChange={setContext} error={contextError} autosize minRows={3} />
          <Group>
            <Button type="submit" loading={evaluate.isPending}>
              Evaluate
            </Button>
          </Group>
        </Stack>
      </form>
      {evaluate.error && <Alert color="red">{errorText(evaluate.error)}</Alert>}
      {evaluate.data && (
        <Stack data-testid="decision">
          <Group>
            <Badge size="lg" color={evaluate.data.result.allow ? 'teal.9' : 'red.9'}>
              {evaluate.data.result.allow ? 'Allow' : 'Deny'}
            </Badge>
            <Text>{evaluate.data.result.reason}</Text>
          </Group>
          <Text size="sm">
            Decided by {evaluate.data.decidedBy}, policy version {evaluate.data.policyVersion}
            {evaluate.data.result.policyId && <> · policy <Code>{evaluate.data.result.policyId}</Code></>}
            {evaluate.data.result.roleId && <> · role <Code>{evaluate.data.result.roleId}</Code></>}
          </Text>
          {evaluate.data.explanation && (
            <Table.ScrollContainer minWidth={640}>
              <Table>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Rule</Table.Th>
                    <Table.Th>Effect</Table.Th>
                    <Table.Th>Priority</Table.Th>
                    <Table.Th>Action</Table.Th>
                    <Table.Th>Resource</Table.Th>
                    <Table.Th>Conditions</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {evaluate.data.explanation.rules.map((r, i) => (
                    <Table.Tr key={i} fw={r.decisive ? 700 : undefined}>
                      <Table.Td>
                        {r.source}
                        {r.decisive ? ' (decisive)' : ''}
                      </Table.Td>
                      <Table.Td>{r.effect}</Table.Td>
                      <Table.Td>{r.priority}</Table.Td>
                      <Table.Td>{r.action}</Table.Td>
                      <Table.Td>{r.resource}</Table.Td>
                      <Table.Td>{r.conditions === true ? 'held' : r.conditions}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </Stack>
      )}
    </Stack>
  );
}
