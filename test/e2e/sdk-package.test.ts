import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Webhook } from 'standardwebhooks';
import { beforeAll, describe, expect, it } from 'vitest';
import { prepareFixture, typecheckFixture, type Fixture } from '../../sdk/scripts/fixture';
import { startTestApi, type TestApi } from '../src';

/**
 * Done-when of issue 20: an app outside the workspace installs @plinto/sdk from its packed tarball,
 * type-checks under NodeNext and under Bundler resolution (no server code: the router types are
 * declarations), and runs against a live Plinto. Type-check times are printed (bench/ has the
 * figure; the goal is < 10 s, the old way took 36–51 s).
 */
let api: TestApi;
let fixture: Fixture;

beforeAll(async () => {
  api = await startTestApi();
  fixture = prepareFixture();
}, 300_000);

describe('the packed @plinto/sdk in an app outside the workspace', () => {
  it('ships ESM with declarations only (dist, LICENSE), exports pointing at dist', () => {
    const files = execFileSync('tar', ['tzf', fixture.tarball], { encoding: 'utf8' }).split('\n');
    expect(files).toEqual(expect.arrayContaining(['package/LICENSE', 'package/dist/index.js', 'package/dist/index.d.ts', 'package/dist/router.d.ts', 'package/dist/edge/index.js']));
    expect(files.filter((f) => f.startsWith('package/src/'))).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(fixture.dir, 'node_modules/@plinto/sdk/package.json'), 'utf8'));
    expect(manifest.exports['.']).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });
    expect(manifest.license).toBe('MIT');
    // No server package reaches the app.
    expect(Object.keys(manifest.dependencies).sort()).toEqual(['@trpc/client', '@trpc/server', 'openapi-fetch', 'superjson']);
  });

  it('type-checks under NodeNext and under Bundler resolution', () => {
    const nodenext = typecheckFixture(fixture, 'nodenext');
    const bundler = typecheckFixture(fixture, 'bundler');
    console.log(`fixture type-check: NodeNext ${Math.round(nodenext)} ms, Bundler ${Math.round(bundler)} ms`);
  }, 120_000);

  it('runs: signs up and in, calls typed tRPC and REST, refreshes, verifies its token, asks can(), verifies a webhook', async () => {
    typecheckFixture(fixture, 'nodenext'); // emits out/
    const app = (await import(pathToFileURL(join(fixture.dir, 'out/app.js')).href)) as typeof import('../../sdk/test/fixture/src/app');
    const secret = `whsec_${Buffer.from('fixture secret, 32 bytes long...').toString('base64')}`;
    const body = JSON.stringify({ id: 'msg_fixture', type: 'user.created', timestamp: new Date().toISOString(), data: { userId: 'u1', email: 'x@example.com' } });
    const now = new Date();
    const headers = { 'webhook-id': 'msg_fixture', 'webhook-timestamp': String(Math.floor(now.getTime() / 1000)), 'webhook-signature': new Webhook(secret).sign('msg_fixture', now, body) };
    const outcome = await app.main({ url: api.url, tenant: 'default', email: 'fixture@example.com', password: 'correct horse battery staple', operatorKey: api.platformKey, webhook: { secret, body, headers } });
    expect(outcome).toMatchObject({ me: { email: 'fixture@example.com' }, restEmail: 'fixture@example.com', refreshed: true, allowed: false, webhookType: 'user.created' });
    expect(outcome.verifiedSub).toBe(outcome.me?.id);
  }, 60_000);
});
