import { useState } from 'react';
import { Alert, Badge, Button, Code, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc';
import { useCan } from '../lib/session';
import { errorText, when } from '../lib/format';
import { LiveControls, useCoalesced, useTenantEvents } from '../lib/live';
import { EndpointEditor } from './EndpointEditor';

const ALL_EVENTS = ['*'];

/** Webhook endpoints (health, test send), their deliveries, and dead letters to replay — kept current live. */
export function WebhooksScreen() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canWrite = useCan('webhooks:write');
  const [url, setUrl] = useState('');
  const [selected, setSelected] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries();
  const [paused, setPaused] = useState(false);
  const [waiting, setWaiting] = useState(0);
  const endpoints = useQuery(trpc.webhooks.listEndpoints.queryOptions({ limit: 100 }));
  const deadLetters = useQuery(trpc.webhooks.listDeadLetters.queryOptions({ limit: 50 }));
  const messages = useQuery({
    ...trpc.webhooks.listMessages.queryOptions({ endpointId: selected ?? '', limit: 25 }),
    enabled: !!selected,
    // A delivery still on its way is read again until it settles: a success at a healthy endpoint
    // records no event (one per delivery would be delivered to the other endpoints, and so on).
    refetchInterval: (query) => (query.state.data?.items.some((m) => m.status === 'pending' || m.status === 'delivering') && !paused ? 2_000 : false),
  });

  // Live: webhook events (an endpoint failing, recovered or disabled; a message dead-lettered,
  // replayed or tested) re-read health, deliveries and dead letters; any other event may have
  // queued a delivery, so the open endpoint's deliveries are re-read too.
  const refreshAll = useCoalesced(() => Promise.all([endpoints.refetch(), deadLetters.refetch(), selected ? messages.refetch() : null]));
  const refreshDeliveries = useCoalesced(() => (selected ? messages.refetch() : Promise.resolve()));
  const live = useTenantEvents(ALL_EVENTS, (signal) => {
    if (paused) return setWaiting((n) => n + 1);
    if (signal === null || signal.type.startsWith('webhook.')) refreshAll();
    else refreshDeliveries();
  });
  const toggleLive = () => {
    if (paused && waiting > 0) refreshAll();
    setWaiting(0);
    setPaused(!paused);
  };
  const create = useMutation(
    trpc.webhooks.createEndpoint.mutationOptions({
      onSuccess: () => {
        setUrl('');
        return refresh();
      },
    }),
  );
  const test = useMutation(trpc.webhooks.testEndpoint.mutationOptions({ onSuccess: refresh }));
  const reload = () => refresh();
  const replay = useMutation(trpc.webhooks.replayMessage.mutationOptions({ onSuccess: refresh }));
  const failure = create.error ?? test.error ?? replay.error ?? endpoints.error ?? deadLetters.error;
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>Webhooks</Title>
        <LiveControls status={live.status} error={live.error} paused={paused} waiting={waiting} onToggle={toggleLive} />
      </Group>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate({ url: url.trim() });
        }}
      >
        <Group align="end">
          <TextInput label="Endpoint URL" placeholder="https://example.com/hooks" value={url} onChange={(e) => setUrl(e.currentTarget.value)} disabled={!canWrite} required w={360} />
          <Button type="submit" disabled={!canWrite || !url.trim()} loading={create.isPending}>
            Add endpoint
          </Button>
        </Group>
      </form>
      {create.data && (
        <Alert color="blue.9" title="Signing secret (shown once)">
          <Code data-testid="endpoint-secret">{create.data.secret}</Code>
        </Alert>
      )}
      {failure && <Alert color="red.9">{errorText(failure)}</Alert>}
      <Table.ScrollContainer minWidth={640}>
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>URL</Table.Th>
              <Table.Th>Health</Table.Th>
              <Table.Th>Events</Table.Th>
              <Table.Th>Actions</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {endpoints.data?.items.map((ep) => (
              <Table.Tr key={ep.id}>
                <Table.Td>{ep.url}</Table.Td>
                <Table.Td data-testid={`health-${ep.id}`}>
                  <Badge color={ep.health.status === 'healthy' ? 'teal.9' : ep.health.status === 'new' ? 'gray.7' : 'red.9'}>{ep.enabled ? ep.health.status : 'disabled'}</Badge>
                </Table.Td>
                <Table.Td>{ep.eventTypes.length ? ep.eventTypes.join(', ') : 'all'}</Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    <Button size="xs" variant="default" onClick={() => setSelected(ep.id)}>
                      Deliveries
                    </Button>
                    <Button size="xs" variant="default" onClick={() => setEditing(ep.id)}>
                      Edit
                    </Button>
                    <Button size="xs" variant="default" disabled={!canWrite} onClick={() => test.mutate({ endpointId: ep.id })}>
                      Send test
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {editing && endpoints.data?.items.some((ep) => ep.id === editing) && (
        <EndpointEditor key={editing} endpoint={endpoints.data.items.find((ep) => ep.id === editing)!} onClose={() => setEditing(null)} />
      )}
      {selected && (
        <>
          <Title order={2}>Deliveries</Title>
          <MessageTable testId="deliveries" items={messages.data?.items ?? []} />
        </>
      )}
      <Group justify="space-between">
        <Title order={2}>Dead letters</Title>
        <Button variant="default" size="xs" onClick={reload}>
          Refresh
        </Button>
      </Group>
      {deadLetters.data?.items.length === 0 && <Text>No dead letters.</Text>}
      <MessageTable testId="dead-letters" items={deadLetters.data?.items ?? []} onReplay={canWrite ? (id) => replay.mutate({ messageId: id }) : undefined} />
    </Stack>
  );
}

interface MessageRow {
  id: string;
  eventType: string;
  status: string;
  trigger: string;
  attempts: number;
  lastResponseStatus: number | null;
  lastError: string | null;
  createdAt: string;
}

function MessageTable({ items, onReplay, testId }: { items: MessageRow[]; onReplay?: (id: string) => void; testId: string }) {
  if (items.length === 0) return null;
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Created</Table.Th>
            <Table.Th>Event</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Attempts</Table.Th>
            <Table.Th>Last answer</Table.Th>
            {onReplay && <Table.Th>Action</Table.Th>}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody data-testid={testId}>
          {items.map((m) => (
            <Table.Tr key={m.id}>
              <Table.Td>{when(m.createdAt)}</Table.Td>
              <Table.Td>
                <Code>{m.eventType}</Code> ({m.trigger})
              </Table.Td>
              <Table.Td>{m.status}</Table.Td>
              <Table.Td>{m.attempts}</Table.Td>
              <Table.Td>{m.lastResponseStatus ?? m.lastError ?? '—'}</Table.Td>
              {onReplay && (
                <Table.Td>
                  <Button size="xs" variant="default" onClick={() => onReplay(m.id)}>
                    Replay
                  </Button>
                </Table.Td>
              )}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
