import { createRequire } from 'node:module';
import { configDefaults, defineConfig } from 'vitest/config';

// graphql ships CommonJS (main) and ESM (module) builds; Vite would pick the ESM one for our code
// while graphql-yoga, loaded by Node, gets the CommonJS one — two realms, and graphql-js refuses
// a schema from the other. Everything uses the one Node resolves.
const graphqlMain = createRequire(new URL('./api/package.json', import.meta.url)).resolve('graphql');

/**
 * One run for the whole workspace. The global setup migrates a template database once; each test
 * file clones its own database from it and uses its own Redis key prefix, so files run in parallel.
 */
export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: graphqlMain }] },
  test: {
    globalSetup: ['test/src/global-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'kernel', include: ['modules/kernel/test/**/*.test.ts'] } },
      { extends: true, test: { name: 'tenants', include: ['modules/tenants/test/**/*.test.ts'] } },
      { extends: true, test: { name: 'api', include: ['api/test/**/*.test.ts'] } },
      { extends: true, test: { name: 'workers', include: ['workers/test/**/*.test.ts'] } },
      { extends: true, test: { name: 'openapi', include: ['openapi/test/**/*.test.ts'] } },
      // webhooks*.test.ts run in the `webhooks` project, auth-*.test.ts in `auth` (one run each, not two).
      { extends: true, test: { name: 'auth', include: ['modules/auth/test/**/*.test.ts', 'test/e2e/auth-*.test.ts'] } },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], exclude: [...configDefaults.exclude, 'test/e2e/webhooks*.test.ts', 'test/e2e/auth-*.test.ts', 'test/e2e/authz-*.test.ts', 'test/e2e/audit-*.test.ts', 'test/e2e/invitations-*.test.ts', 'test/e2e/orgs-*.test.ts', 'test/e2e/email-*.test.ts', 'test/e2e/graphql-*.test.ts', 'test/e2e/realtime-*.test.ts'] } },
      { extends: true, test: { name: 'authz', include: ['modules/authz/test/**/*.test.ts', 'test/e2e/authz-*.test.ts'] } },
      { extends: true, test: { name: 'audit', include: ['modules/audit/test/**/*.test.ts', 'test/e2e/audit-*.test.ts'] } },
      { extends: true, test: { name: 'webhooks', include: ['modules/webhooks/test/**/*.test.ts', 'test/e2e/webhooks*.test.ts'] } },
      { extends: true, test: { name: 'invitations', include: ['modules/invitations/test/**/*.test.ts', 'test/e2e/invitations-*.test.ts'] } },
      { extends: true, test: { name: 'orgs', include: ['modules/orgs/test/**/*.test.ts', 'test/e2e/orgs-*.test.ts'] } },
      { extends: true, test: { name: 'graphql', include: ['test/e2e/graphql-*.test.ts'] } },
      { extends: true, test: { name: 'realtime', include: ['modules/realtime/test/**/*.test.ts', 'test/e2e/realtime-*.test.ts'] } },
      { extends: true, test: { name: 'email', include: ['modules/email/test/**/*.test.ts', 'test/e2e/email-*.test.ts'] } },
    ],
  },
});
