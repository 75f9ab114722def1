import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * The hosted pages are one small single-page app served by the api under /t/{tenant}/...; its
 * assets live under /_pages/ (tenant-independent, cacheable). The api injects the CSP nonce and
 * the tenant's name into index.html when it serves a page.
 */
export default defineConfig({
  base: '/_pages/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 1024 },
});
