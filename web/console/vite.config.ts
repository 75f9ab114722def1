import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * The admin console, served by the api at /admin (static files, SPA fallback). Everything it loads
 * comes from the same origin, as external files: the CSP allows no inline script.
 */
export default defineConfig({
  base: '/admin/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 2000,
  },
  server: {
    proxy: { '/trpc': 'http://127.0.0.1:4000', '/v1': 'http://127.0.0.1:4000', '/t': 'http://127.0.0.1:4000' },
  },
});
