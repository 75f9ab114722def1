import { Alert, Card, Loader, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { BarChart, LineChart } from '@mantine/charts';
import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc';
import { errorText } from '../lib/format';

/**
 * Tenant analytics (`auditLogs.analytics`): counts over the audit log, so nothing is tracked on
 * the request path for them. Shown on the Dashboard under the same date range.
 */
export function Analytics({ from }: { from: string }) {
  const trpc = useTRPC();
  const analytics = useQuery(trpc.auditLogs.analytics.queryOptions({ from }));
  if (analytics.error) return <Alert color="red.9">{errorText(analytics.error)}</Alert>;
  if (!analytics.data) return <Loader aria-label="Loading analytics" />;
  const { totals, perMonth, signInsByMethod } = analytics.data;
  const perDay = everyDay(analytics.data.from, analytics.data.to, analytics.data.perDay);
  const adoption = totals.activeUsers ? Math.round((totals.activeUsersWithMfa / totals.activeUsers) * 100) : 0;
  const methods = new Map<string, { method: string; success: number; failure: number }>();
  for (const row of signInsByMethod) {
    const entry = methods.get(row.method) ?? methods.set(row.method, { method: row.method, success: 0, failure: 0 }).get(row.method)!;
    if (row.outcome === 'failure') entry.failure += row.count;
    else entry.success += row.count;
  }
  const byMethod = [...methods.values()];
  return (
    <Stack aria-label="Analytics" component="section">
      <Title order={2}>Analytics</Title>
      <SimpleGrid cols={{ base: 2, sm: 4 }}>
        <Stat label="Active users" value={totals.activeUsers.toLocaleString()} />
        <Stat label="Failed sign-ins" value={totals.failedSignIns.toLocaleString()} />
        <Stat label="Lockouts" value={totals.lockouts.toLocaleString()} />
        <Stat label="MFA adoption" value={`${adoption}%`} hint={`${totals.activeUsersWithMfa} of ${totals.activeUsers} active users signed in with MFA`} />
        <Stat label="Sign-ups" value={totals.signUps.toLocaleString()} />
        <Stat label="MFA enrolments" value={totals.mfaEnabled.toLocaleString()} />
        <Stat label="Organizations created" value={totals.organizationsCreated.toLocaleString()} />
        <Stat label="Invitations accepted" value={totals.invitationsAccepted.toLocaleString()} />
      </SimpleGrid>
      <Card withBorder>
        <Title order={3} size="h4" mb="sm">
          Daily active users
        </Title>
        <LineChart h={220} data={perDay} dataKey="day" series={[{ name: 'activeUsers', label: 'Active users', color: 'teal.7' }]} />
      </Card>
      <Card withBorder>
        <Title order={3} size="h4" mb="sm">
          Monthly active users
        </Title>
        <BarChart h={200} data={perMonth} dataKey="month" series={[{ name: 'activeUsers', label: 'Active users', color: 'indigo.6' }]} />
      </Card>
      <Card withBorder>
        <Title order={3} size="h4" mb="sm">
          Sign-ins by method and outcome
        </Title>
        <BarChart
          h={Math.max(160, byMethod.length * 40)}
          data={byMethod}
          dataKey="method"
          orientation="vertical"
          type="stacked"
          yAxisProps={{ width: 120 }}
          series={[
            { name: 'success', label: 'Succeeded', color: 'teal.6' },
            { name: 'failure', label: 'Failed', color: 'red.7' },
          ]}
          withLegend
        />
        <Table mt="sm" aria-label="Sign-ins by method and outcome">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Method</Table.Th>
              <Table.Th>Succeeded</Table.Th>
              <Table.Th>Failed</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {byMethod.map((m) => (
              <Table.Tr key={m.method}>
                <Table.Td>{m.method}</Table.Td>
                <Table.Td>{m.success}</Table.Td>
                <Table.Td>{m.failure}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Card>
      <DailyBars
        title="Failed sign-ins and lockouts per day"
        data={perDay}
        series={[
          { name: 'failedSignIns', label: 'Failed sign-ins', color: 'red.7' },
          { name: 'lockouts', label: 'Lockouts', color: 'orange.7' },
        ]}
      />
      <DailyBars
        title="Organizations created and invitations accepted per day"
        data={perDay}
        series={[
          { name: 'organizationsCreated', label: 'Organizations created', color: 'indigo.6' },
          { name: 'invitationsAccepted', label: 'Invitations accepted', color: 'grape.6' },
        ]}
      />
    </Stack>
  );
}

type DayRow = { day: string; activeUsers: number; signIns: number; failedSignIns: number; lockouts: number; signUps: number; mfaEnabled: number; organizationsCreated: number; invitationsAccepted: number };

/** The API lists only days with events; the charts show every day of the range (quiet days as 0). */
/** A titled card with one bar per day for each series (the analytics' daily counts). */
function DailyBars({ title, data, series }: { title: string; data: DayRow[]; series: { name: keyof DayRow & string; label: string; color: string }[] }) {
  return (
    <Card withBorder>
      <Title order={3} size="h4" mb="sm">
        {title}
      </Title>
      <BarChart h={220} data={data} dataKey="day" series={series} withLegend />
    </Card>
  );
}

function everyDay(from: string, to: string, rows: DayRow[]): DayRow[] {
  const byDay = new Map(rows.map((r) => [r.day, r]));
  const out: DayRow[] = [];
  const end = new Date(to).getTime();
  for (let t = Date.parse(from.slice(0, 10)); t < end; t += 86_400_000) {
    const day = new Date(t).toISOString().slice(0, 10);
    out.push(byDay.get(day) ?? { day, activeUsers: 0, signIns: 0, failedSignIns: 0, lockouts: 0, signUps: 0, mfaEnabled: 0, organizationsCreated: 0, invitationsAccepted: 0 });
  }
  return out;
}

function Stat({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <Card withBorder>
      <Text size="sm">{label}</Text>
      <Text fw={700} size="xl" title={hint}>
        {value}
      </Text>
      {hint && <Text size="xs">{hint}</Text>}
    </Card>
  );
}
