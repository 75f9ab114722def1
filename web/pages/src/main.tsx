import '@mantine/core/styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { MantineProvider, createTheme } from '@mantine/core';
import { App } from './App';

/** Set by the api when it serves the page: the CSP nonce Mantine's <style> tags must carry. */
const meta = (name: string): string | undefined => document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content || undefined;
const nonce = meta('plinto-nonce');

// Shade 8 of the primary colour keeps white text on buttons and links above WCAG AA contrast.
const theme = createTheme({ primaryColor: 'indigo', primaryShade: 8, defaultRadius: 'md' });

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <MantineProvider theme={theme} defaultColorScheme="light" getStyleNonce={() => nonce ?? ''}>
      <App tenantName={meta('plinto-tenant-name') ?? 'Plinto'} />
    </MantineProvider>
  </StrictMode>,
);
