import { useMemo, useRef } from 'react';
import { Alert, MantineProvider, createTheme, type CSSVariablesResolver } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { BrowserRouter, Navigate, Route, Routes, useParams } from 'react-router';
import { TRPCProvider, createConsoleClient } from './lib/trpc';
import { Shell } from './Shell';
import { OperatorSignIn } from './screens/OperatorSignIn';

// Shade 8 keeps white-on-primary and primary-on-white text above WCAG AA contrast (axe-checked).
const theme = createTheme({
  primaryColor: 'indigo',
  primaryShade: 8,
  defaultRadius: 'sm',
  // Outlined alerts keep their text in the alert's own (dark) shade on white: AA contrast.
  components: { Alert: Alert.extend({ defaultProps: { variant: 'outline' } }) },
});
// Dimmed text (field descriptions) one shade darker than Mantine's default, for AA contrast.
const cssVariables: CSSVariablesResolver = () => ({ variables: {}, light: { '--mantine-color-dimmed': 'var(--mantine-color-gray-7)' }, dark: {} });

/**
 * One query cache and tRPC client per tenant in the URL: switching tenants starts clean, so no
 * answer of one tenant is ever shown under another.
 */
function TenantApp() {
  const { tenant = 'default' } = useParams();
  const tenantRef = useRef(tenant);
  tenantRef.current = tenant;
  const { queryClient, client } = useMemo(
    () => ({
      queryClient: new QueryClient({ defaultOptions: { queries: { staleTime: 5_000, refetchOnWindowFocus: false } } }),
      client: createConsoleClient(() => tenantRef.current),
    }),
    [tenant],
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={client} queryClient={queryClient}>
        <Shell tenant={tenant} />
      </TRPCProvider>
    </QueryClientProvider>
  );
}

export function App() {
  return (
    <MantineProvider theme={theme} cssVariablesResolver={cssVariables} defaultColorScheme="light">
      <BrowserRouter basename="/admin">
        <Routes>
          <Route path="/t/:tenant/*" element={<TenantApp />} />
          <Route path="/operator/sign-in" element={<OperatorSignIn />} />
          <Route path="*" element={<Navigate to="/t/default" replace />} />
        </Routes>
      </BrowserRouter>
    </MantineProvider>
  );
}
