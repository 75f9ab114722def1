import { AppShell, Alert, Anchor, Burger, Button, Center, Group, Loader, NavLink, Select, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useMutation, useQuery } from '@tanstack/react-query';
import { signOutBrowserSession, signOutOperator } from './lib/csrf';
import { Link, Route, Routes, useLocation, useNavigate } from 'react-router';
import { SessionProvider, useSession, useSessionState } from './lib/session';
import { useTRPC } from './lib/trpc';
import { Dashboard } from './screens/Dashboard';
import { UsersScreen } from './screens/Users';
import { UserDetail } from './screens/UserDetail';
import { OrgsScreen } from './screens/Orgs';
import { OrgDetail } from './screens/OrgDetail';
import { AuditScreen } from './screens/Audit';
import { WebhooksScreen } from './screens/Webhooks';
import { PlaygroundScreen } from './screens/Playground';
import { PoliciesScreen } from './screens/Policies';
import { DecisionsScreen } from './screens/Decisions';
import { CredentialsScreen } from './screens/Credentials';
import { TenantsScreen } from './screens/Tenants';
import { PlatformKeysScreen } from './screens/PlatformKeys';
import { ApplicationsScreen } from './screens/Applications';
import { ConnectionsScreen } from './screens/Connections';
import { SettingsScreen } from './screens/Settings';

const signInUrl = (tenant: string) => `/t/${encodeURIComponent(tenant)}/sign-in?return_to=${encodeURIComponent(`/admin/t/${tenant}`)}`;

/** Signed in, or the way to sign in: the hosted sign-in page, which comes back here. */
export function Shell({ tenant }: { tenant: string }) {
  const state = useSessionState(tenant);
  if (state.status === 'loading') {
    return (
      <Center h="100vh">
        <Loader aria-label="Loading" />
      </Center>
    );
  }
  if (state.status === 'signed-out' || state.status === 'error') {
    return (
      <Center h="100vh">
        <Stack maw={420} p="md">
          <Title order={1}>Plinto admin console</Title>
          {state.status === 'error' ? <Alert color="red.9" title="The console could not load">{state.message}</Alert> : <Text>You are not signed in to {tenant}.</Text>}
          <Button component="a" href={signInUrl(tenant)}>
            Sign in
          </Button>
          <Anchor component={Link} to={`/operator/sign-in?tenant=${encodeURIComponent(tenant)}`} size="sm">
            Platform operator sign-in
          </Anchor>
        </Stack>
      </Center>
    );
  }
  return (
    <SessionProvider session={state.session}>
      <Layout />
    </SessionProvider>
  );
}

const SECTIONS: { path: string; label: string; permission?: string }[] = [
  { path: '', label: 'Dashboard', permission: 'audit:read' },
  { path: 'users', label: 'Users', permission: 'users:read' },
  { path: 'orgs', label: 'Organizations' },
  { path: 'audit', label: 'Audit log', permission: 'audit:read' },
  { path: 'webhooks', label: 'Webhooks', permission: 'webhooks:read' },
  { path: 'policies', label: 'Roles and policies', permission: 'policies:read' },
  { path: 'playground', label: 'Policy playground', permission: 'policies:evaluate' },
  { path: 'decisions', label: 'Decision log', permission: 'decisions:read' },
  { path: 'keys', label: 'Keys and clients', permission: 'signing_keys:read' },
  { path: 'applications', label: 'Applications', permission: 'applications:read' },
  { path: 'connections', label: 'Connections and passkeys', permission: 'connections:read' },
  { path: 'settings', label: 'Settings', permission: 'settings:read' },
];

function Layout() {
  const session = useSession();
  const [opened, { toggle, close }] = useDisclosure();
  const location = useLocation();
  const base = `/t/${session.tenant}`;
  const current = location.pathname.slice(base.length).replace(/^\//, '').split('/')[0] ?? '';
  return (
    <AppShell header={{ height: 60 }} navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <Text fw={700} component="span">
              Plinto
            </Text>
            <TenantSwitcher />
          </Group>
          <SignedInAs />
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" aria-label="Sections">
        {SECTIONS.filter((s) => !s.permission || session.can(s.permission)).map((s) => (
          <NavLink key={s.path} component={Link} to={`${base}/${s.path}`} label={s.label} active={current === s.path} onClick={close} />
        ))}
        {session.isPlatformOperator && <NavLink component={Link} to={`${base}/tenants`} label="Tenants" active={current === 'tenants'} onClick={close} />}
        {session.isPlatformOperator && (
          <NavLink component={Link} to={`${base}/platform-keys`} label="Platform keys" active={current === 'platform-keys'} onClick={close} />
        )}
      </AppShell.Navbar>
      <AppShell.Main>
        <Routes>
          <Route index element={<Dashboard />} />
          <Route path="users" element={<UsersScreen />} />
          <Route path="users/:userId" element={<UserDetail />} />
          <Route path="orgs" element={<OrgsScreen />} />
          <Route path="orgs/:orgId" element={<OrgDetail />} />
          <Route path="audit" element={<AuditScreen />} />
          <Route path="webhooks" element={<WebhooksScreen />} />
          <Route path="playground" element={<PlaygroundScreen />} />
          <Route path="policies" element={<PoliciesScreen />} />
          <Route path="decisions" element={<DecisionsScreen />} />
          <Route path="keys" element={<CredentialsScreen />} />
          <Route path="tenants" element={<TenantsScreen />} />
          <Route path="platform-keys" element={<PlatformKeysScreen />} />
          <Route path="applications" element={<ApplicationsScreen />} />
          <Route path="connections" element={<ConnectionsScreen />} />
          <Route path="settings" element={<SettingsScreen />} />
          <Route path="*" element={<Text>Nothing here. <Anchor component={Link} to={base}>Back to the dashboard</Anchor></Text>} />
        </Routes>
      </AppShell.Main>
    </AppShell>
  );
}

/** Platform operators work in any tenant: the switcher lists them (tenants.list is theirs alone). */
function TenantSwitcher() {
  const session = useSession();
  const trpc = useTRPC();
  const navigate = useNavigate();
  const tenants = useQuery({ ...trpc.tenants.list.queryOptions({ limit: 100 }), enabled: session.isPlatformOperator });
  if (!session.isPlatformOperator) {
    return (
      <Text size="sm" c="dark.3">
        {session.tenant}
      </Text>
    );
  }
  const data = (tenants.data?.items ?? []).map((t) => ({ value: t.slug, label: t.name === t.slug ? t.slug : `${t.name} (${t.slug})` }));
  if (!data.some((d) => d.value === session.tenant)) data.unshift({ value: session.tenant, label: session.tenant });
  return (
    <Select
      aria-label="Tenant"
      size="xs"
      data={data}
      value={session.tenant}
      allowDeselect={false}
      onChange={(slug) => slug && navigate(`/t/${slug}`)}
      w={200}
    />
  );
}

function SignedInAs() {
  const session = useSession();
  const signOut = useMutation({
    mutationFn: () => (session.isPlatformOperator ? signOutOperator() : signOutBrowserSession(session.tenant)),
    onSuccess: (next) => window.location.assign(next),
    onError: () => window.location.assign(signInUrl(session.tenant)),
  });
  const who = session.email ?? (session.isPlatformOperator ? `Platform operator${session.operatorName ? ` (${session.operatorName})` : ''}` : `${session.kind} ${session.principalId}`);
  const canSignOut = session.kind === 'user' || session.operatorName !== null;
  return (
    <Group gap="xs" wrap="nowrap">
      <Text size="sm" visibleFrom="sm" data-testid="signed-in-as">
        {who}
      </Text>
      {canSignOut && (
        <Button size="xs" variant="default" loading={signOut.isPending} onClick={() => signOut.mutate()}>
          Sign out
        </Button>
      )}
    </Group>
  );
}
