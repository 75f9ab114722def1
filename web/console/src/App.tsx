import { useMemo, useRef } from 'react';
import { MantineProvider, createTheme } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { BrowserRouter, Navigate, Route, Routes, useParams } from 'react-router';
import { TRPCProvider, createConsoleClient } from './lib/trpc';
import { Shell } from './Shell';

// Shade 8 keeps white-on-primary and primary-on-white text above WCAG AA contrast (axe-checked).
const theme = createTheme({ primaryColor: 'indigo', primaryShade: 8, defaultRadius: 'sm' });

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
    <MantineProvider theme={theme} defaultColorScheme="light">
      <BrowserRouter basename="/admin">
        <Routes>
          <Route path="/t/:tenant/*" element={<TenantApp />} />
          <Route path="*" element={<Navigate to="/t/default" replace />} />
        </Routes>
      </BrowserRouter>
    </MantineProvider>
  );
}
