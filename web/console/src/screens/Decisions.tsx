import { useState } from 'react';
import { Alert, Badge, Button, Code, Group, NumberInput, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc';
import { useCan } from '../lib/session';
import { errorText, when } from '../lib/format';

/**
 * The authorization decision log: a sample of the engine's decisions (subject, action, resource,
 * outcome, the deciding rule), written in batches after each request — so it costs the request
 * path one in-memory push. The sample rate is a tenant setting (policies:configure).
 */
export function DecisionsScreen() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canConfigure = useCan('policies:configure');
  const [subject, setSubject] = useState('');
  const [outcome, setOutcome] = useState<string | null>('all');
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [debounced] = useDebouncedValue(subject.trim(), 250);
  const input = {
    limit: 50,
    cursor: cursors[cursors.length - 1],
    ...(debounced ? { subject: debounced } : {}),
    ...(outcome === 'allow' ? { allow: 'true' as const } : outcome === 'deny' ? { allow: 'false' as const } : {}),
  };
  const decisions = useQuery({ ...trpc.policies.decisions.queryOptions(input), placeholderData: keepPreviousData });
  const settings = useQuery(trpc.policies.settings.get.queryOptions());
  const [rate, setRate] = useState<number | string | null>(null);
  const saveRate = useMutation(trpc.policies.settings.update.mutationOptions({ onSuccess: () => queryClient.invalidateQueries() }));
  const currentRate = settings.data?.settings.decisionLogSampleRate;
  const restart = () => setCursors([undefined]);
  return (
    <Stack>
      <Title order={1}>Decision log</Title>
      <Text size="sm">
        A sample of authorization decisions with their input and the rule that decided. The share sampled is{' '}
        {currentRate === undefined ? 'the server default (POLICY_DECISION_LOG_SAMPLE_RATE)' : `${Math.round(currentRate * 1000) / 10}%`}.
      </Text>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          saveRate.mutate({ decisionLogSampleRate: Number(rate) });
        }}
      >
        <Group align="end">
          <NumberInput label="Sample rate (0–1)" min={0} max={1} step={0.05} decimalScale={3} value={rate ?? currentRate ?? ''} onChange={setRate} w={180} disabled={!canConfigure} />
          <Button type="submit" variant="default" disabled={!canConfigure || rate === null || rate === ''} loading={saveRate.isPending}>
            Save sample rate
          </Button>
        </Group>
      </form>
      {(saveRate.error ?? decisions.error) && <Alert color="red.9">{errorText(saveRate.error ?? decisions.error)}</Alert>}
      <Group align="end">
        <TextInput
          label="Subject"
          placeholder="user:…"
          value={subject}
          onChange={(e) => {
            setSubject(e.currentTarget.value);
            restart();
          }}
          w={280}
        />
        <Select
          label="Outcome"
          data={[
            { value: 'all', label: 'All' },
            { value: 'allow', label: 'Allowed' },
            { value: 'deny', label: 'Denied' },
          ]}
          value={outcome}
          allowDeselect={false}
          onChange={(v) => {
            setOutcome(v);
            restart();
          }}
          w={160}
        />
        <Button variant="default" onClick={() => void decisions.refetch()}>
          Refresh
        </Button>
      </Group>
      {/* Rows hold no control, so the scrolling viewport itself takes focus (keyboard scrolling at 390 px). */}
      <Table.ScrollContainer minWidth={760} scrollAreaProps={{ viewportProps: { tabIndex: 0, 'aria-label': 'Decisions' } }}>
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>When</Table.Th>
              <Table.Th>Subject</Table.Th>
              <Table.Th>Action</Table.Th>
              <Table.Th>Resource</Table.Th>
              <Table.Th>Outcome</Table.Th>
              <Table.Th>Decided by</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody data-testid="decisions">
            {decisions.data?.items.map((d) => (
              <Table.Tr key={d.id}>
                <Table.Td>{when(d.occurredAt)}</Table.Td>
                <Table.Td>
                  <Code>{d.subject}</Code>
                </Table.Td>
                <Table.Td>{d.action}</Table.Td>
                <Table.Td>{d.resource}</Table.Td>
                <Table.Td>{d.allow ? <Badge color="teal.9">allow</Badge> : <Badge color="red.9">deny</Badge>}</Table.Td>
                <Table.Td>
                  <Text size="sm">
                    {d.source ?? d.decidedBy} — {d.reason}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {decisions.data?.items.length === 0 && <Text>No decisions logged{currentRate === 0 ? ' (sampling is off)' : ''}.</Text>}
      <Group>
        <Button variant="default" disabled={cursors.length < 2} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Previous page
        </Button>
        <Button variant="default" disabled={!decisions.data?.nextCursor} onClick={() => setCursors((c) => [...c, decisions.data!.nextCursor!])}>
          Next page
        </Button>
      </Group>
    </Stack>
  );
}
