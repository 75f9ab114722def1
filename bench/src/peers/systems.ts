// The systems of the peers suite, each started in its own process(es) and seeded, each offering
// the load (bench/src/load.ts options) of the operations it has. Traffic stays on loopback.
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { LoadOptions } from '../load';
import { codeFlow, httpClient, type FlowOptions } from '../flow-load';
import { apiThreadPoolEnv } from '../../../scripts/lib/threadpool.mjs';
import { plintoBacklog } from './backlog';
import { BENCH_MASTER_KEY, BENCH_PLATFORM_KEY, REPO_ROOT, startApiProcess, startServerProcess, type ServerProcess } from '../processes';

export const OPERATIONS = ['sign-up', 'sign-in', 'session check', 'token refresh', 'client credentials', 'authorization code'] as const;
export type Operation = (typeof OPERATIONS)[number];

export interface Contender {
  name: string;
  /** False for a configuration its makers document as development-only: printed, never the peer to beat. */
  production?: boolean;
  /**
   * What each operation is on this system (printed), and its load — on its first `processes` api
   * processes where it runs several (the sizing suite).
   */
  ops: Partial<Record<Operation | 'evaluate', { what: string; load: (processes?: number) => LoadOptions; flow?: FlowOptions['flow'] }>>;
  /**
   * Waits until the work the system deferred to its background processes is done; returns how long
   * that took (ms), which the peers suite adds to the measurement's time. Only for a system that defers work.
   */
  settle?(): Promise<number>;
  /** The system's own processes by role (for their CPU time from /proc). */
  pids: Record<string, number>;
  stop(): Promise<void>;
}

export const PASSWORD = 'bench passphrase that is long enough';
const USERS = 16;
const PLINTO_DB = process.env.BENCH_PEERS_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/plinto_bench_peers_plinto';
const PEER_DB = process.env.BENCH_PEERS_BA_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/plinto_bench_peers';
const RUN = Date.now().toString(36);
const json = { 'content-type': 'application/json' };
const form = { 'content-type': 'application/x-www-form-urlencoded' };

async function call(url: string, init: RequestInit = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = target.pathname.slice(1);
  target.pathname = '/postgres';
  const client = new pg.Client({ connectionString: target.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) await client.query(`create database "${name.replace(/"/g, '')}"`);
  } finally {
    await client.end();
  }
}

let uniqueEmail = 0;
const nextEmail = (system: string) => `peer-${system}-${RUN}-${uniqueEmail++}@bench.test`;

/**
 * Plinto as deployed: the api process (libuv pool as `npm start` sizes it) and, unless
 * BENCH_PEERS_WORKERS=0, a workers process draining the outbox its writes fill (the relay's cost is
 * part of Plinto's guarantees, so it runs on the same cores).
 */
export async function startPlinto(concurrency: number, apiProcesses = 1, variant?: 'no-flush-wait'): Promise<Contender> {
  // The variant measures what durability costs: its commits return before PostgreSQL has flushed
  // the WAL (synchronous_commit=off: a database crash could lose the last moments of acknowledged
  // changes). Not a configuration Plinto offers; a measurement beside the real one.
  const databaseUrl = variant ? `${PLINTO_DB}?options=${encodeURIComponent('-c synchronous_commit=off')}` : PLINTO_DB;
  const env = { DATABASE_URL: databaseUrl, QUEUE_PREFIX: 'plinto_bench_peers', LOG_LEVEL: 'error', AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000000', PUBLIC_URL: 'http://127.0.0.1:4000' };
  const api = await startApiProcess(env); // creates and migrates the database
  const more: ServerProcess[] = [];
  for (let i = 1; i < apiProcesses; i++) more.push(await startApiProcess(env));
  const bases = [api, ...more].map((a) => `http://127.0.0.1:${a.port}`);
  const on = (path: string, processes = 1) => bases.slice(0, processes).map((b) => `${b}${path}`);
  // (The variant shares the database, and so the workers, of the real one.)
  const workers: ServerProcess | undefined =
    process.env.BENCH_PEERS_WORKERS === '0' || variant ? undefined : await startServerProcess(`${REPO_ROOT}workers/src/main.ts`, { ...env, LOG_LEVEL: 'warn', WORKERS_MAINTENANCE: 'false', PLINTO_MASTER_KEY: BENCH_MASTER_KEY });
  const base = `http://127.0.0.1:${api.port}`;
  const admin = { ...json, authorization: `Bearer ${BENCH_PLATFORM_KEY}` };
  const emails = Array.from({ length: USERS }, (_, i) => `peer-plinto-user-${i}@bench.test`);
  for (const email of emails) await call(`${base}/v1/auth/sign-up`, { method: 'POST', headers: json, body: JSON.stringify({ email, password: PASSWORD }) });
  const listed = await call(`${base}/v1/users?search=peer-plinto-user&limit=100`, { headers: admin });
  for (const user of (listed.body.items as { id: string; emailVerified: boolean }[]).filter((u) => !u.emailVerified)) {
    await call(`${base}/v1/users/${user.id}`, { method: 'PATCH', headers: admin, body: JSON.stringify({ emailVerified: true }) });
  }
  const signIn = (email: string) => call(`${base}/v1/auth/sign-in`, { method: 'POST', headers: json, body: JSON.stringify({ email, password: PASSWORD }) });
  const session = (await signIn(emails[0]!)).body as { access_token: string };
  // One refresh-token family per connection: each request sends the token the previous one got.
  const chains: string[] = [];
  for (let i = 0; i < concurrency; i++) chains.push((await signIn(emails[i % USERS]!)).body.refresh_token);
  const client = await call(`${base}/v1/clients`, { method: 'POST', headers: admin, body: JSON.stringify({ name: `peers-${RUN}`, roles: [], scopes: ['api:read'] }) });
  const basic = Buffer.from(`${encodeURIComponent(client.body.clientId)}:${encodeURIComponent(client.body.clientSecret)}`).toString('base64');
  const codeFlowOf = await plintoCodeFlow(base, admin, emails[0]!);
  const backlog = workers ? plintoBacklog(PLINTO_DB, env.QUEUE_PREFIX) : undefined;
  let next = 0;
  return {
    name: variant ? 'Plinto, commits not waiting for the WAL flush' : 'Plinto',
    ops: {
      'sign-up': { what: 'POST /v1/auth/sign-up', load: (n) => ({ url: on('/v1/auth/sign-up', n), method: 'POST', headers: json, body: () => JSON.stringify({ email: nextEmail('plinto'), password: PASSWORD }) }) },
      'sign-in': { what: 'POST /v1/auth/sign-in', load: (n) => ({ url: on('/v1/auth/sign-in', n), method: 'POST', headers: json, body: () => JSON.stringify({ email: emails[next++ % USERS], password: PASSWORD }) }) },
      'session check': { what: 'GET /v1/auth/session (Bearer)', load: (n) => ({ url: on('/v1/auth/session', n), headers: { authorization: `Bearer ${session.access_token}` } }) },
      'token refresh': {
        what: 'POST /v1/auth/refresh (rotating)',
        load: (n) => ({
          url: on('/v1/auth/refresh', n),
          method: 'POST',
          headers: json,
          body: (slot) => JSON.stringify({ refresh_token: chains[slot] }),
          onResponse: (slot, status, body) => {
            if (status === 200) chains[slot] = (JSON.parse(body.toString('utf8')) as { refresh_token: string }).refresh_token;
          },
        }),
      },
      'client credentials': {
        what: 'POST /t/default/oauth/token (Basic)',
        load: (n) => ({ url: on('/t/default/oauth/token', n), method: 'POST', headers: { ...form, authorization: `Basic ${basic}` }, body: 'grant_type=client_credentials&scope=api%3Aread' }),
      },
      'authorization code': { what: 'GET /t/default/oauth/authorize (cookie) → POST /t/default/oauth/token (code, PKCE; ID token RS256)', load: noLoad, flow: codeFlowOf },
      evaluate: {
        what: 'POST /v1/policies/evaluate',
        load: (n) => ({ url: on('/v1/policies/evaluate', n), method: 'POST', headers: admin, body: () => JSON.stringify({ subject: `user:bench-${next++ % 50}`, action: 'reports:read', resource: 'report:1' }) }),
      },
    },
    settle: backlog?.settle,
    pids: { api: api.pid, ...Object.fromEntries(more.map((m, i) => [`api ${i + 2}`, m.pid])), ...(workers ? { workers: workers.pid } : {}) },
    stop: async () => {
      await backlog?.close();
      await Promise.all([api.stop(), ...more.map((m) => m.stop()), workers?.stop()]);
    },
  };
}

/** Better Auth on PostgreSQL, or with its Redis secondary storage (sessions in Redis). */
export async function startBetterAuth(withRedis: boolean): Promise<Contender> {
  await ensureDatabase(PEER_DB);
  const tag = withRedis ? 'ba-redis' : 'ba-pg';
  const server = await startServerProcess(`${REPO_ROOT}bench/src/servers/better-auth.ts`, { BA_DATABASE_URL: PEER_DB, BA_REDIS: withRedis ? '1' : '0', ...apiThreadPoolEnv() });
  const origin = `http://127.0.0.1:${server.port}`;
  const base = `${origin}/api/auth`;
  const headers = { ...json, origin }; // Better Auth refuses a POST without an Origin (CSRF), as a browser sends
  const emails = Array.from({ length: USERS }, (_, i) => `peer-${tag}-user-${i}@bench.test`);
  for (const email of emails) await call(`${base}/sign-up/email`, { method: 'POST', headers, body: JSON.stringify({ email, password: PASSWORD, name: 'Bench' }) });
  const db = new pg.Client({ connectionString: PEER_DB });
  await db.connect();
  await db.query(`update "user" set "emailVerified" = true where email like $1`, [`peer-${tag}-user-%`]);
  await db.end();
  const signedIn = await call(`${base}/sign-in/email`, { method: 'POST', headers, body: JSON.stringify({ email: emails[0], password: PASSWORD }) });
  if (signedIn.status !== 200) throw new Error(`Better Auth sign-in failed: ${signedIn.status} ${JSON.stringify(signedIn.body)}`);
  const cookie = signedIn.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  let next = 0;
  return {
    name: withRedis ? 'Better Auth + Redis' : 'Better Auth (PostgreSQL)',
    ops: {
      'sign-up': { what: 'POST /api/auth/sign-up/email', load: () => ({ url: `${base}/sign-up/email`, method: 'POST', headers, body: () => JSON.stringify({ email: nextEmail(tag), password: PASSWORD, name: 'Bench' }) }) },
      'sign-in': { what: 'POST /api/auth/sign-in/email', load: () => ({ url: `${base}/sign-in/email`, method: 'POST', headers, body: () => JSON.stringify({ email: emails[next++ % USERS], password: PASSWORD }) }) },
      'session check': { what: 'GET /api/auth/get-session (cookie)', load: () => ({ url: `${base}/get-session`, headers: { cookie } }) },
      'token refresh': { what: 'GET /api/auth/token (JWT plugin)', load: () => ({ url: `${base}/token`, headers: { cookie } }) },
    },
    pids: { server: server.pid },
    stop: () => server.stop(),
  };
}

/**
 * oidc-provider: opaque access tokens or EdDSA JWTs; its storage (sessions, codes, grants, opaque
 * tokens) in Redis through the adapter of its own example (production), or in its default
 * in-memory adapter (development-only by its documentation: kept in the table for the record).
 */
export async function startOidcProvider(tokens: 'opaque' | 'jwt', storage: 'redis' | 'memory' = 'redis'): Promise<Contender> {
  const server = await startServerProcess(`${REPO_ROOT}bench/src/servers/oidc-provider.ts`, { OIDC_TOKENS: tokens, OIDC_STORAGE: storage });
  const { clientId, clientSecret } = server.message as { clientId: string; clientSecret: string };
  const basic = Buffer.from(`${clientId}:${clientSecret}`).toString('base64');
  const url = `http://127.0.0.1:${server.port}/token`;
  const { webClientId, webRedirectUri } = server.message as { webClientId: string; webRedirectUri: string };
  const origin = `http://127.0.0.1:${server.port}`;
  const authorizeUrl = `${origin}/auth?${new URLSearchParams({ client_id: webClientId, redirect_uri: webRedirectUri, response_type: 'code', scope: 'openid', code_challenge: PKCE.challenge, code_challenge_method: 'S256' })}`;
  // The one interactive sign-in (the bench's interaction handler finishes it), then the session cookies.
  const jar = new Map<string, string>();
  const http = httpClient();
  let at = authorizeUrl;
  for (let hop = 0; hop < 6; hop++) {
    const answer = await http(at, { headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
    for (const line of [answer.headers['set-cookie'] ?? []].flat()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    const location = answer.headers.location;
    if (typeof location !== 'string' || location.startsWith(webRedirectUri)) break;
    at = new URL(location, at).href;
  }
  const cookie = [...jar].filter(([k]) => k.startsWith('_session')).map(([k, v]) => `${k}=${v}`).join('; ');
  const webBasic = Buffer.from(`${webClientId}:${clientSecret}`).toString('base64');
  const flow: FlowOptions['flow'] = (_slot, client) => codeFlow(client, { authorizeUrl, cookie, tokenUrl: url, basic: webBasic, redirectUri: webRedirectUri, verifier: PKCE.verifier });
  return {
    name: `oidc-provider, ${tokens === 'jwt' ? 'EdDSA JWT' : 'opaque'}, ${storage === 'redis' ? 'Redis adapter' : 'in-memory adapter (development only)'}`,
    production: storage === 'redis',
    ops: {
      'authorization code': { what: 'GET /auth (session cookie) → POST /token (code, PKCE; ID token RS256)', load: noLoad, flow },
      'client credentials': { what: 'POST /token (Basic)', load: () => ({ url, method: 'POST', headers: { ...form, authorization: `Basic ${basic}` }, body: 'grant_type=client_credentials&scope=api%3Aread' }) },
    },
    pids: { server: server.pid },
    stop: () => server.stop(),
  };
}

/** One PKCE pair for every flow of the bench (servers do not remember challenges). */
const PKCE = { verifier: 'bench-pkce-verifier-0123456789abcdefghijklmnopqrstuvwxyz', challenge: '' };
PKCE.challenge = createHash('sha256').update(PKCE.verifier).digest('base64url');

/** Operations measured as flows have no single-request load. */
const noLoad = (): LoadOptions => {
  throw new Error('a flow operation has no single-request load');
};

/**
 * Plinto's authorization-code flow for a signed-in browser: a first-party web application of the
 * default tenant, and a browser session (the hosted pages' cookie) of a bench user.
 */
async function plintoCodeFlow(base: string, admin: Record<string, string>, email: string): Promise<FlowOptions['flow']> {
  const redirectUri = 'http://127.0.0.1:1/callback';
  const app = await call(`${base}/v1/applications`, { method: 'POST', headers: admin, body: JSON.stringify({ name: `bench-web-${RUN}`, type: 'web', firstParty: true, redirectUris: [redirectUri] }) });
  if (app.status !== 201) throw new Error(`registering the bench application failed: ${app.status} ${JSON.stringify(app.body)}`);
  const signedIn = await call(`${base}/t/default/session/sign-in`, { method: 'POST', headers: { ...json, origin: 'http://127.0.0.1:4000' }, body: JSON.stringify({ email, password: PASSWORD }) });
  if (signedIn.status !== 200) throw new Error(`browser sign-in failed: ${signedIn.status} ${JSON.stringify(signedIn.body)}`);
  const cookie = signedIn.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const authorizeUrl = `${base}/t/default/oauth/authorize?${new URLSearchParams({ client_id: app.body.clientId, redirect_uri: redirectUri, response_type: 'code', scope: 'openid', code_challenge: PKCE.challenge, code_challenge_method: 'S256' })}`;
  const basic = Buffer.from(`${app.body.clientId}:${app.body.clientSecret}`).toString('base64');
  return (_slot, client) => codeFlow(client, { authorizeUrl, cookie, tokenUrl: `${base}/t/default/oauth/token`, basic, redirectUri, verifier: PKCE.verifier });
}
