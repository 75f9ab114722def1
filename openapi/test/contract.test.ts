import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DOCUMENT_PATH, committedDocument } from '../src';

const run = promisify(execFile);
const OPENAPI_DIR = fileURLToPath(new URL('..', import.meta.url));
const REDOCLY = fileURLToPath(new URL('../node_modules/.bin/redocly', import.meta.url));

type Operation = { operationId: string; security?: unknown[]; parameters?: { $ref?: string; name?: string; in?: string }[]; responses: Record<string, { $ref?: string; headers?: Record<string, unknown> }>; requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> } };
const document = JSON.parse(committedDocument()) as { paths: Record<string, Record<string, Operation>>; components: Record<string, Record<string, unknown>>; webhooks: Record<string, { post: Operation }> };
const operations = Object.entries(document.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => ({ path, method, operation })));
const rest = operations.filter(({ path }) => !path.startsWith('/t/'));
const op = (path: string, method: string) => document.paths[path]![method]!;

/** Issue 20: the REST contract that generated clients (openapi-typescript, Redocly, Orval, …) trust. */
describe('the REST contract', () => {
  it("passes Redocly's recommended ruleset with no error and no warning", async () => {
    const { stdout } = await run(REDOCLY, ['lint', '--format=json', DOCUMENT_PATH], { cwd: OPENAPI_DIR, maxBuffer: 64 * 1024 * 1024 }).catch((error: { stdout: string }) => error);
    const report = JSON.parse(stdout) as { totals: { errors: number; warnings: number; ignored: number }; problems: { ruleId: string; message: string; ignored?: boolean }[] };
    expect(report.problems.filter((p) => !p.ignored).map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
    // The only exceptions are listed, with their reasons, in openapi/.redocly.lint-ignore.yaml.
    expect(report.totals.ignored).toBeLessThanOrEqual(2);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  }, 120_000);

  it('declares the tenant header on every /v1 operation', () => {
    expect(document.components.parameters!.Tenant).toMatchObject({ name: 'X-Plinto-Tenant', in: 'header', required: false });
    for (const { operation } of rest) expect(operation.parameters, operation.operationId).toContainEqual({ $ref: '#/components/parameters/Tenant' });
  });

  it('marks public operations as needing no credential, and the others as needing a bearer token', () => {
    for (const path of ['/auth/sign-up', '/auth/sign-in', '/auth/refresh', '/auth/password/forgot', '/auth/magic-link', '/invitations/accept']) expect(op(path, 'post').security, path).toEqual([]);
    expect(op('/ping', 'get').security).toEqual([]);
    expect(op('/users', 'get').security).toEqual([{ bearer: [] }]);
    expect(op('/policies/evaluate', 'post').security).toEqual([{ bearer: [] }]);
  });

  it('models client_secret_post as form fields, not as a query parameter', () => {
    expect(document.components.securitySchemes).not.toHaveProperty('clientSecretPost');
    const token = op('/t/{tenant}/oauth/token', 'post');
    expect(token.security).toEqual([{ clientSecretBasic: [] }, {}]);
    expect(Object.keys(token.requestBody!.content)).toEqual(['application/x-www-form-urlencoded']);
    expect(token.requestBody!.content['application/x-www-form-urlencoded']!.schema.properties).toHaveProperty('client_secret');
    expect(JSON.stringify(document)).not.toMatch(/"in":\s*"query",\s*"name":\s*"client_secret"/);
  });

  it('declares 409 on writes and 429/503 with Retry-After everywhere', () => {
    for (const { method, operation } of rest) {
      expect(operation.responses['429'], operation.operationId).toBeDefined();
      expect(operation.responses['503'], operation.operationId).toBeDefined();
      if (method !== 'get') expect(operation.responses['409'], operation.operationId).toBeDefined();
    }
    for (const name of ['TooManyRequests', 'ServiceUnavailable']) {
      expect(document.components.responses![name]).toMatchObject({ headers: { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } } });
    }
    expect(op('/t/{tenant}/oauth/token', 'post').responses['429']!.headers).toHaveProperty('Retry-After');
  });

  it('carries examples on the main operations (Redocly checks them against the schemas)', () => {
    const example = (path: string) => (op(path, 'post').requestBody!.content['application/json'] as { example?: unknown }).example;
    for (const path of ['/auth/sign-up', '/auth/sign-in', '/auth/refresh', '/policies/evaluate', '/tenants', '/orgs']) expect(example(path), path).toBeDefined();
  });

  it('documents the signed policy bundle endpoint as it answers (bearer, ETag revalidation, Retry-After)', () => {
    const bundle = op('/t/{tenant}/authz/bundle', 'get');
    expect(bundle.security).toEqual([{ bearer: [] }]);
    expect(bundle.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'tenant', in: 'path' }), expect.objectContaining({ name: 'If-None-Match', in: 'header' })]));
    expect(Object.keys(bundle.responses).sort()).toEqual(['200', '304', '401', '403', '429', '503']);
    expect(Object.keys(bundle.responses['200']!.headers!)).toEqual(['ETag', 'X-Plinto-Policy-Version']);
    expect(bundle.responses['429']).toEqual({ $ref: '#/components/responses/TooManyRequests' });
    expect(bundle.responses['503']).toEqual({ $ref: '#/components/responses/ServiceUnavailable' });
  });

  it('authenticates webhook deliveries by their Standard Webhooks signature', () => {
    expect(document.webhooks['user.created']!.post.security).toEqual([{ webhookSignature: [] }]);
  });
});
