import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';

// graphql ships CommonJS (main) and ESM (module) builds; Vite would pick the ESM one for our code
// while graphql-yoga, loaded by Node, gets the CommonJS one — two realms, and graphql-js refuses
// a schema from the other. Everything uses the one Node resolves.
const graphqlMain = createRequire(new URL('./api/package.json', import.meta.url)).resolve('graphql');

/**
 * End-to-end files grouped by name prefix (`test/e2e/<prefix>*.test.ts`), with the module's own
 * tests beside them. Adding a project here also takes its files out of the catch-all `e2e` project.
 */
const E2E_PROJECTS: Record<string, { prefixes: string[]; modules?: string[]; also?: string[]; testTimeout?: number }> = {
  auth: { prefixes: ['auth-'], modules: ['auth'] },
  authz: { prefixes: ['authz-'], modules: ['authz'] },
  audit: { prefixes: ['audit-'], modules: ['audit'] },
  webhooks: { prefixes: ['webhooks'], modules: ['webhooks'] },
  invitations: { prefixes: ['invitations-'], modules: ['invitations'] },
  orgs: { prefixes: ['orgs-'], modules: ['orgs'] },
  email: { prefixes: ['email-'], modules: ['email'] },
  oidc: { prefixes: ['oidc-'] },
  // Browser projects get a ceiling above Playwright's own (BROWSER_WAIT_MS, 60 s): a wait that
  // hangs then fails with the locator it waited for instead of a bare test timeout.
  passkeys: { prefixes: ['passkeys-', 'social-'], testTimeout: 180_000 },
  graphql: { prefixes: ['graphql-'] },
  realtime: { prefixes: ['realtime-'], modules: ['realtime'] },
  sdk: { prefixes: ['sdk-'], also: ['sdk/test/**/*.test.ts'] },
  // The hosted pages and browser sessions (real Chromium); the global setup builds web/*.
  pages: { prefixes: ['pages-'], testTimeout: 180_000 },
  // The admin console in real Chromium.
  console: { prefixes: ['console-'], testTimeout: 180_000 },
};

/**
 * One run for the whole workspace. The global setup migrates a template database once; each test
 * file clones its own database from it and uses its own Redis key prefix, so files run in parallel.
 */
export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: graphqlMain }] },
  test: {
    globalSetup: ['test/src/global-setup.ts'],
    pool: 'forks',
    // Two files at a time even on two cores (vitest's default, cores - 1, is one there): a file
    // mostly waits on its api, workers, PostgreSQL and Chromium, so a second one fills the idle
    // core. `--maxWorkers=1` runs them one after another again.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // Ceilings for a hung test, not budgets: with two files at once on a loaded machine a test
    // takes several times its quiet duration, and the waits inside stop on positive signals.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 60_000,
    // expect.poll's own default ceiling is 1 s, which a loaded machine overruns (a console
    // checkbox read back after its save took longer under load 30).
    expect: { poll: { timeout: 30_000 } },
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'kernel', include: ['modules/kernel/test/**/*.test.ts'] } },
      { extends: true, test: { name: 'tenants', include: ['modules/tenants/test/**/*.test.ts'] } },
      { extends: true, test: { name: 'api', include: ['api/test/**/*.test.ts'] } },
      { extends: true, test: { name: 'workers', include: ['workers/test/**/*.test.ts'] } },
      { extends: true, test: { name: 'openapi', include: ['openapi/test/**/*.test.ts'] } },
      ...Object.entries(E2E_PROJECTS).map(([name, { prefixes, modules = [], also = [], testTimeout }]) => ({
        extends: true as const,
        test: { name, include: [...modules.map((m) => `modules/${m}/test/**/*.test.ts`), ...also, ...prefixes.map((p) => `test/e2e/${p}*.test.ts`)], ...(testTimeout ? { testTimeout } : {}) },
      })),
      // Every other end-to-end file; a file belongs to one project only (one run each, not two).
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], exclude: [...configDefaults.exclude, ...Object.values(E2E_PROJECTS).flatMap((p) => p.prefixes.map((prefix) => `test/e2e/${prefix}*.test.ts`))] } },
    ],
  },
});
