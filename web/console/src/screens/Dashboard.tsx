import { useState } from 'react';
import { Alert, Card, Group, Loader, SegmentedControl, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { BarChart } from '@mantine/charts';
import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc';
import { useCan } from '../lib/session';
import { errorText } from '../lib/format';
import { Analytics } from './Analytics';

const RANGES = { '7': 7, '30': 30, '90': 90, '365': 365 } as const;

/**
 * Activity from the audit log (queries over data that exists, nothing tracked on the request
 * path): events and failures per day, sign-ins and sign-ups per day, the busiest actions.
 */
export function Dashboard() {
  const trpc = useTRPC();
  const canRead = useCan('audit:read');
  const [range, setRange] = useState<keyof typeof RANGES>('30');
  const from = new Date(Date.now() - RANGES[range] * 86_400_000);
  from.setUTCHours(0, 0, 0, 0);
  const window = { from: from.toISOString() };
  const all = useQuery({ ...trpc.auditLogs.stats.queryOptions(window), enabled: canRead });
  const signIns = useQuery({ ...trpc.auditLogs.stats.queryOptions({ ...window, action: 'user.signed_in' }), enabled: canRead });
  const signUps = useQuery({ ...trpc.auditLogs.stats.queryOptions({ ...window, action: 'user.created' }), enabled: canRead });
  if (!canRead) return <Text>Your role shows no activity here (it needs audit:read).</Text>;
  if (all.error) return <Alert color="red.9">{errorText(all.error)}</Alert>;
  if (!all.data) return <Loader aria-label="Loading" />;
  const days = new Map<string, { day: string; events: number; signIns: number; signUps: number }>();
  const row = (day: string) => days.get(day) ?? days.set(day, { day, events: 0, signIns: 0, signUps: 0 }).get(day)!;
  for (const d of all.data.byDay) row(d.day).events = d.count;
  for (const d of signIns.data?.byDay ?? []) row(d.day).signIns = d.count;
  for (const d of signUps.data?.byDay ?? []) row(d.day).signUps = d.count;
  const perDay = [...days.values()].sort((a, b) => a.day.localeCompare(b.day));
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>Dashboard</Title>
        <SegmentedControl
          aria-label="Date range"
          value={range}
          onChange={(v) => setRange(v as keyof typeof RANGES)}
          data={[
            { value: '7', label: '7 days' },
            { value: '30', label: '30 days' },
            { value: '90', label: '90 days' },
            { value: '365', label: '365 days' },
          ]}
        />
      </Group>
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <Stat label="Events" value={all.data.total} />
        <Stat label="Failures" value={all.data.failures} />
        <Stat label="Sign-ins" value={signIns.data?.total ?? 0} />
      </SimpleGrid>
      <Card withBorder>
        <Title order={2} size="h4" mb="sm">
          Activity per day
        </Title>
        <BarChart
          h={260}
          data={perDay}
          dataKey="day"
          series={[
            { name: 'events', label: 'Events', color: 'indigo.6' },
            { name: 'signIns', label: 'Sign-ins', color: 'teal.6' },
            { name: 'signUps', label: 'Sign-ups', color: 'orange.6' },
          ]}
          withLegend
        />
      </Card>
      <Card withBorder>
        <Title order={2} size="h4" mb="sm">
          Busiest actions
        </Title>
        <BarChart h={Math.max(160, all.data.byAction.slice(0, 10).length * 32)} data={all.data.byAction.slice(0, 10)} dataKey="action" orientation="vertical" yAxisProps={{ width: 200 }} series={[{ name: 'count', label: 'Events', color: 'indigo.6' }]} />
      </Card>
      <Analytics from={window.from} />
    </Stack>
  );
}

function Stat({ label, value }: { label: string; value: number }) {
  return (
    <Card withBorder>
      <Text size="sm">{label}</Text>
      <Text fw={700} size="xl">
        {value.toLocaleString()}
      </Text>
    </Card>
  );
}
