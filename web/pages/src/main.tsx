import '@mantine/core/styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { MantineProvider } from '@mantine/core';
import { App } from './App';
import { BrandingContext, applyBackground, cssVariablesFor, readBranding, themeFor } from './branding';

/** Set by the api when it serves the page: the CSP nonce Mantine's <style> tags must carry. */
const meta = (name: string): string | undefined => document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content || undefined;
const nonce = meta('plinto-nonce');
// The tenant's branding comes with the page (no request): name, logo, colours, support address.
const branding = readBranding(meta('plinto-tenant-name') ?? 'Plinto');
applyBackground(branding);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <MantineProvider theme={themeFor(branding)} cssVariablesResolver={cssVariablesFor(branding)} defaultColorScheme="light" getStyleNonce={() => nonce ?? ''}>
      <BrandingContext.Provider value={branding}>
        <App tenantName={branding.name} />
      </BrandingContext.Provider>
    </MantineProvider>
  </StrictMode>,
);
