import { useEffect, useRef, useState } from 'react';
import { Alert, Badge, Button, Code, Group, Modal, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { useTRPC, useTRPCClient } from '../lib/trpc';
import { useCan } from '../lib/session';
import { errorText, when } from '../lib/format';
import { LiveControls, useCoalesced, useTenantEvents } from '../lib/live';

interface Filters {
  action: string;
  actorId: string;
  targetId: string;
  outcome: string;
  from: string;
  to: string;
}
const EMPTY: Filters = { action: '', actorId: '', targetId: '', outcome: 'any', from: '', to: '' };

/** The filters as the API takes them: blanks left out, dates as ISO instants. */
function filterInput(f: Filters) {
  return {
    ...(f.action.trim() ? { action: f.action.trim() } : {}),
    ...(f.actorId.trim() ? { actorId: f.actorId.trim() } : {}),
    ...(f.targetId.trim() ? { targetId: f.targetId.trim() } : {}),
    ...(f.outcome === 'success' || f.outcome === 'failure' ? { outcome: f.outcome as 'success' | 'failure' } : {}),
    ...(f.from ? { from: new Date(f.from).toISOString() } : {}),
    ...(f.to ? { to: new Date(f.to).toISOString() } : {}),
  };
}

/** The audit screen listens to every event type: each is an audit event (the list's filters then apply). */
const ALL_EVENTS = ['*'];

/** Audit log: filters, keyset pages (new events come in live on the newest), one event's detail, export, and the hash chain's check. */
export function AuditScreen() {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const canVerify = useCan('audit:verify');
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [applied, setApplied] = useState<Filters>(EMPTY);
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [openId, setOpenId] = useState<string | null>(null);
  const cursor = cursors[cursors.length - 1];
  const events = useQuery({ ...trpc.auditLogs.list.queryOptions({ limit: 25, cursor, ...filterInput(applied) }), placeholderData: keepPreviousData });
  const detail = useQuery({ ...trpc.auditLogs.get.queryOptions({ id: openId ?? '' }), enabled: !!openId });
  const integrity = useQuery({ ...trpc.auditLogs.integrity.queryOptions(), enabled: false });
  const exporting = useMutation({
    mutationFn: async (format: 'jsonl' | 'csv') => {
      const parts: string[] = [];
      for await (const chunk of await client.auditLogs.export.query({ format, ...filterInput(applied) })) parts.push(String(chunk));
      const url = URL.createObjectURL(new Blob(parts, { type: format === 'csv' ? 'text/csv' : 'application/x-ndjson' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = `audit-log.${format === 'csv' ? 'csv' : 'jsonl'}`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      return parts.join('').split('\n').filter(Boolean).length;
    },
  });
  const set = (key: keyof Filters) => (value: string) => setDraft((d) => ({ ...d, [key]: value }));

  // Live: a new event re-reads the newest page (it comes in on top; keyset cursors stay the
  // server's, so "Older" still continues exactly below what is shown). Paused, or on an older
  // page, events are only counted until the person comes back.
  const [paused, setPaused] = useState(false);
  const [waiting, setWaiting] = useState(0);
  const onNewest = cursors.length === 1;
  const refreshNewest = useCoalesced(() => events.refetch());
  const live = useTenantEvents(ALL_EVENTS, () => {
    if (paused || !onNewest) setWaiting((n) => n + 1);
    else refreshNewest();
  });
  // Back on the newest page (and not paused): what was counted meanwhile is read now.
  useEffect(() => {
    if (!onNewest || paused || waiting === 0) return;
    setWaiting(0);
    refreshNewest();
  }, [onNewest, paused, waiting, refreshNewest]);
  const resume = () => setPaused(false);
  // The rows first shown for these filters; any later row on the newest page came in live.
  const shown = useRef<Set<string> | null>(null);
  useEffect(() => {
    if (shown.current || !onNewest || !events.data || events.isPlaceholderData) return;
    shown.current = new Set(events.data.items.map((e) => e.id));
  }, [events.data, events.isPlaceholderData, onNewest]);
  const arrivedLive = (id: string) => onNewest && !events.isPlaceholderData && shown.current !== null && !shown.current.has(id);

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>Audit log</Title>
        <LiveControls status={live.status} error={live.error} paused={paused} waiting={waiting} onToggle={() => (paused ? resume() : setPaused(true))} />
      </Group>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          shown.current = null;
          setApplied(draft);
          setCursors([undefined]);
        }}
      >
        <Group align="end">
          <TextInput label="Action" placeholder="user. or user.disabled" value={draft.action} onChange={(e) => set('action')(e.currentTarget.value)} />
          <TextInput label="Actor id" value={draft.actorId} onChange={(e) => set('actorId')(e.currentTarget.value)} />
          <TextInput label="Target id" value={draft.targetId} onChange={(e) => set('targetId')(e.currentTarget.value)} />
          <Select
            label="Outcome"
            data={[
              { value: 'any', label: 'Any' },
              { value: 'success', label: 'Success' },
              { value: 'failure', label: 'Failure' },
            ]}
            value={draft.outcome}
            allowDeselect={false}
            onChange={(v) => set('outcome')(v ?? 'any')}
            w={130}
          />
          <TextInput label="From" type="datetime-local" value={draft.from} onChange={(e) => set('from')(e.currentTarget.value)} />
          <TextInput label="To" type="datetime-local" value={draft.to} onChange={(e) => set('to')(e.currentTarget.value)} />
          <Button type="submit">Apply filters</Button>
        </Group>
      </form>
      <Group>
        <Button variant="default" loading={exporting.isPending && exporting.variables === 'jsonl'} onClick={() => exporting.mutate('jsonl')}>
          Export JSON Lines
        </Button>
        <Button variant="default" loading={exporting.isPending && exporting.variables === 'csv'} onClick={() => exporting.mutate('csv')}>
          Export CSV
        </Button>
        <Button variant="outline" disabled={!canVerify} loading={integrity.isFetching} onClick={() => integrity.refetch()}>
          Verify integrity
        </Button>
      </Group>
      {exporting.isSuccess && <Alert color="teal.9">Exported {exporting.data} lines.</Alert>}
      {integrity.data && (
        <Alert color={integrity.data.ok ? 'teal.9' : 'red.9'} title={integrity.data.ok ? 'Chain intact' : 'Chain broken'} data-testid="integrity">
          {integrity.data.checked} events checked (sequence {integrity.data.fromSeq}–{integrity.data.headSeq}), {integrity.data.pending} not yet chained.
          {integrity.data.firstProblem && <Code block>{JSON.stringify(integrity.data.firstProblem, null, 2)}</Code>}
        </Alert>
      )}
      {(events.error ?? exporting.error ?? integrity.error) && <Alert color="red.9">{errorText(events.error ?? exporting.error ?? integrity.error)}</Alert>}
      <Table.ScrollContainer minWidth={720}>
        <Table striped highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>When</Table.Th>
              <Table.Th>Action</Table.Th>
              <Table.Th>Actor</Table.Th>
              <Table.Th>Target</Table.Th>
              <Table.Th>Outcome</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody data-testid="audit-rows">
            {events.data?.items.map((e) => (
              <Table.Tr key={e.id} data-live={arrivedLive(e.id) || undefined}>
                <Table.Td>
                  <Button variant="subtle" size="compact-sm" onClick={() => setOpenId(e.id)}>
                    {when(e.occurredAt)}
                  </Button>
                </Table.Td>
                <Table.Td>
                  <Code>{e.action}</Code>
                  {arrivedLive(e.id) && (
                    <Badge ml="xs" size="xs" color="teal.9">
                      new
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td>
                  {e.actor.type} {e.actor.id?.slice(0, 8) ?? ''}
                </Table.Td>
                <Table.Td>{e.target ? `${e.target.type} ${e.target.id.slice(0, 8)}` : '—'}</Table.Td>
                <Table.Td>{e.outcome}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {events.data?.items.length === 0 && <Text>No events match.</Text>}
      <Group>
        <Button variant="default" disabled={cursors.length < 2} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Newer
        </Button>
        <Button variant="default" disabled={!events.data?.nextCursor} onClick={() => setCursors((c) => [...c, events.data!.nextCursor!])}>
          Older
        </Button>
      </Group>
      <Modal opened={!!openId} onClose={() => setOpenId(null)} title="Audit event" size="lg" closeButtonProps={{ 'aria-label': 'Close' }}>
        {detail.error && <Alert color="red.9">{errorText(detail.error)}</Alert>}
        {detail.data && (
          // Focusable, so the scrollable JSON can be scrolled with the keyboard.
          <Code block mah={480} style={{ overflow: 'auto' }} tabIndex={0} aria-label="Event JSON">
            {JSON.stringify(detail.data, null, 2)}
          </Code>
        )}
      </Modal>
    </Stack>
  );
}
