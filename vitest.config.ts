import { configDefaults, defineConfig } from 'vitest/config';

/**
 * One run for the whole workspace. The global setup migrates a template database once; each test
 * file clones its own database from it and uses its own Redis key prefix, so files run in parallel.
 */
export default defineConfig({
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
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], exclude: [...configDefaults.exclude, 'test/e2e/webhooks*.test.ts', 'test/e2e/auth-*.test.ts', 'test/e2e/authz-*.test.ts', 'test/e2e/audit-*.test.ts', 'test/e2e/invitations-*.test.ts', 'test/e2e/orgs-*.test.ts', 'test/e2e/email-*.test.ts', 'test/e2e/realtime-*.test.ts'] } },
      { extends: true, test: { name: 'authz', include: ['modules/authz/test/**/*.test.ts', 'test/e2e/authz-*.test.ts'] } },
      { extends: true, test: { name: 'audit', include: ['modules/audit/test/**/*.test.ts', 'test/e2e/audit-*.test.ts'] } },
      { extends: true, test: { name: 'webhooks', include: ['modules/webhooks/test/**/*.test.ts', 'test/e2e/webhooks*.test.ts'] } },
      { extends: true, test: { name: 'invitations', include: ['modules/invitations/test/**/*.test.ts', 'test/e2e/invitations-*.test.ts'] } },
      { extends: true, test: { name: 'orgs', include: ['modules/orgs/test/**/*.test.ts', 'test/e2e/orgs-*.test.ts'] } },
      { extends: true, test: { name: 'realtime', include: ['modules/realtime/test/**/*.test.ts', 'test/e2e/realtime-*.test.ts'] } },
      { extends: true, test: { name: 'email', include: ['modules/email/test/**/*.test.ts', 'test/e2e/email-*.test.ts'] } },
    ],
  },
});
