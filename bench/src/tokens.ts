import { createPublicKey } from 'node:crypto';
import pg from 'pg';
import { SignJWT, jwtVerify } from 'jose';
import { createLogger, createRedis, loadConfig, randomToken, sha256, uuidv7, type Config } from '@plinto/kernel';
import { prepareDatabase } from '@plinto/api';
import { ensureCurrentKey, startTokenServices } from '@plinto/auth';
import { findTenantBySlug } from '@plinto/tenants';
import { runLoad } from './load';
import { BENCH_MASTER_KEY, REPO_ROOT, startApiProcess, startServerProcess } from './processes';
import type { Benchmark, BenchRow } from './types';

const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 3000);
const BENCH_DB = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/plinto_bench';

function benchConfig(extra: Record<string, string> = {}): Config {
  return loadConfig({ DATABASE_URL: BENCH_DB, QUEUE_PREFIX: 'plinto_bench', LOG_LEVEL: 'error', PLINTO_MASTER_KEY: BENCH_MASTER_KEY, PUBLIC_URL: 'http://127.0.0.1:4000', ...extra });
}

/** Runs `fn` back to back for `ms`; operations per second. */
async function opsPerSecond(ms: number, fn: () => Promise<unknown>): Promise<number> {
  let done = 0;
  const started = process.hrtime.bigint();
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    for (let i = 0; i < 200; i++) await fn();
    done += 200;
  }
  return done / (Number(process.hrtime.bigint() - started) / 1e9);
}

/**
 * Plinto's verifier (allowlist, header checks, kid among the issuer tenant's keys, claims, and the
 * revocation check) against `jose.jwtVerify` with the key already in hand, in one process.
 */
const verification: Benchmark = {
  name: 'tokens',
  async run(): Promise<BenchRow[]> {
    const rows: BenchRow[] = [];
    for (const cacheMs of ['250', '0']) {
      const config = benchConfig({ AUTH_REVOCATION_CACHE_MS: cacheMs });
      const logger = createLogger(config, 'bench');
      const orm = await prepareDatabase(config, logger);
      const redis = createRedis(config.REDIS_URL, 'producer', 'bench-tokens');
      try {
        const services = startTokenServices({ orm, config, redis, logger });
        const tenant = (await findTenantBySlug(orm.em.fork(), 'default'))!;
        const token = (await services.issueAccessToken(tenant, { sub: uuidv7(), sid: uuidv7(), amr: ['pwd'], aal: 1 })).token;
        const key = await ensureCurrentKey(orm.em.fork(), config, tenant.id);
        const publicKey = createPublicKey({ key: key.publicJwk as never, format: 'jwk' });
        const rawVerify = () => jwtVerify(token, publicKey, { algorithms: ['EdDSA'], issuer: services.issuer('default'), audience: services.audience, typ: 'at+jwt' });
        await services.verifier.verify(token);
        await services.revocations.fill();
        await opsPerSecond(300, () => services.verifier.verify(token)); // warm-up
        await opsPerSecond(300, rawVerify);
        const rawBefore = await opsPerSecond(DURATION_MS / 2, rawVerify);
        const plinto = await opsPerSecond(DURATION_MS, () => services.verifier.verify(token));
        const raw = (rawBefore + (await opsPerSecond(DURATION_MS / 2, rawVerify))) / 2;
        rows.push({
          name: cacheMs === '0' ? 'access-token verification, no local revocation cache (Redis per call)' : 'access-token verification',
          figure: plinto,
          baselineName: 'raw jose.jwtVerify, key in hand',
          baseline: raw,
          unit: 'verifications/s',
          higherIsBetter: true,
          goal: cacheMs === '0' ? undefined : '>= 0.50 (within 2x)',
          note: `one process, sequential; revocation cache ${cacheMs} ms`,
        });
      } finally {
        redis.disconnect();
        await orm.close();
      }
    }
    return rows;
  },
};

interface Chain {
  refresh: string;
}

/**
 * Over HTTP on the api process: a protected tRPC procedure (access-token verification, nothing
 * else) vs the public one; and refresh-token grants per second at the OAuth token endpoint vs the
 * same rotation done in raw SQL + a raw JWT signature, at the same concurrency.
 */
const overHttp: Benchmark = {
  name: 'tokens',
  async run(): Promise<BenchRow[]> {
    const api = await startApiProcess({ AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000000', LOG_LEVEL: 'error', PUBLIC_URL: 'http://127.0.0.1:4000' });
    try {
      const base = `http://127.0.0.1:${api.port}`;
      const json = { 'content-type': 'application/json' };
      const password = 'bench passphrase that is long enough';
      const concurrency = 8;
      const chains: Chain[] = [];
      let access = '';
      for (let i = 0; i < concurrency; i++) {
        const email = `bench-refresh-${i}@bench.test`;
        await fetch(`${base}/v1/auth/sign-up`, { method: 'POST', headers: json, body: JSON.stringify({ email, password }) });
        const signedIn = (await (await fetch(`${base}/v1/auth/sign-in`, { method: 'POST', headers: json, body: JSON.stringify({ email, password }) })).json()) as { access_token: string; refresh_token: string };
        chains.push({ refresh: signedIn.refresh_token });
        access = signedIn.access_token;
      }
      const protectedUrl = `${base}/trpc/system.whoami`;
      const publicUrl = `${base}/trpc/system.ping`;
      const auth = { authorization: `Bearer ${access}` };
      await runLoad({ url: protectedUrl, headers: auth, durationMs: 500 });
      await runLoad({ url: publicUrl, durationMs: 500 });
      const pub1 = await runLoad({ url: publicUrl, durationMs: DURATION_MS / 2 });
      const prot = await runLoad({ url: protectedUrl, headers: auth, durationMs: DURATION_MS });
      const pub2 = await runLoad({ url: publicUrl, durationMs: DURATION_MS / 2 });
      const publicRate = (pub1.perSecond + pub2.perSecond) / 2;

      // The issue's baseline: Express + jose verifying the same token (key from the tenant's JWKS).
      const claims = JSON.parse(Buffer.from(access.split('.')[1]!, 'base64url').toString('utf8')) as { iss: string; aud: string };
      const joseServer = await startServerProcess(`${REPO_ROOT}bench/src/servers/express-jose.ts`, { JWKS_URL: `${base}/t/default/.well-known/jwks.json`, ISSUER: claims.iss, AUDIENCE: claims.aud });
      const joseUrl = `http://127.0.0.1:${joseServer.port}/whoami`;
      let joseRate = 0;
      let protectedAgainstJose = 0;
      try {
        await runLoad({ url: joseUrl, headers: auth, durationMs: 500 });
        // Interleaved: baseline, Plinto, baseline (averaged), so both see the same drift.
        const jose1 = await runLoad({ url: joseUrl, headers: auth, durationMs: DURATION_MS / 2 });
        protectedAgainstJose = (await runLoad({ url: protectedUrl, headers: auth, durationMs: DURATION_MS })).perSecond;
        const jose2 = await runLoad({ url: joseUrl, headers: auth, durationMs: DURATION_MS / 2 });
        if (jose1.errors + jose2.errors > 0) throw new Error(`Express + jose baseline answered ${jose1.errors + jose2.errors} errors`);
        joseRate = (jose1.perSecond + jose2.perSecond) / 2;
      } finally {
        await joseServer.stop();
      }

      await refreshLoop(`${base}/t/default/oauth/token`, chains, 500); // warm-up
      // Interleaved: raw, Plinto, raw (averaged), so both see the same drift.
      const rawBefore = await rawRotationLoop(concurrency, DURATION_MS / 2);
      const grants = await refreshLoop(`${base}/t/default/oauth/token`, chains, DURATION_MS);
      const raw = (rawBefore + (await rawRotationLoop(concurrency, DURATION_MS / 2))) / 2;
      return [
        {
          name: 'protected tRPC procedure, user access token (req/s)',
          figure: prot.perSecond,
          baselineName: 'public tRPC procedure',
          baseline: publicRate,
          unit: 'req/s',
          higherIsBetter: true,
          note: `p50 ${prot.p50Ms.toFixed(2)} ms, p99 ${prot.p99Ms.toFixed(2)} ms${prot.errors ? `, ${prot.errors} errors` : ''}`,
        },
        {
          name: 'protected tRPC procedure, user access token (req/s)',
          figure: protectedAgainstJose,
          baselineName: 'Express route + jose.jwtVerify (JWKS)',
          baseline: joseRate,
          unit: 'req/s',
          higherIsBetter: true,
          goal: '>= 0.50',
          note: 'same token, same load client; Plinto also checks revocation, tenant and principal',
        },
        {
          name: 'refresh-token grants (OAuth token endpoint)',
          figure: grants.perSecond,
          baselineName: 'raw SQL rotation + JWT signature, same concurrency',
          baseline: raw,
          unit: 'grants/s',
          higherIsBetter: true,
          goal: '>= 0.50',
          note: `${concurrency} clients, each rotating its own family${grants.errors ? `, ${grants.errors} errors` : ''}`,
        },
      ];
    } finally {
      await api.stop();
    }
  },
};

/**
 * Refresh grants on the lean load client (bench/src/load.ts), one family per connection: each
 * request sends the token the previous answer carried. A rotation that fails ends nothing here but
 * counts as an error (the next request would reuse a spent token).
 */
async function refreshLoop(url: string, chains: Chain[], ms: number) {
  const result = await runLoad({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    concurrency: chains.length,
    durationMs: ms,
    body: (slot) => `grant_type=refresh_token&refresh_token=${encodeURIComponent(chains[slot]!.refresh)}`,
    onResponse: (slot, status, body) => {
      if (status === 200) chains[slot]!.refresh = (JSON.parse(body.toString('utf8')) as { refresh_token: string }).refresh_token;
    },
  });
  return { perSecond: result.perSecond, errors: result.errors };
}

/** The rotation's essential work in raw SQL on a scratch table, plus signing a JWT. */
async function rawRotationLoop(concurrency: number, ms: number): Promise<number> {
  const pool = new pg.Pool({ connectionString: BENCH_DB, max: concurrency });
  const { privateKey } = await import('node:crypto').then((c) => c.generateKeyPairSync('ed25519'));
  await pool.query(`create table if not exists bench_raw_refresh (id uuid primary key, family uuid not null, token_hash text unique not null, status text not null)`);
  await pool.query('truncate bench_raw_refresh');
  const families = await Promise.all(
    Array.from({ length: concurrency }, async () => {
      const family = uuidv7();
      const token = randomToken(32);
      await pool.query(`insert into bench_raw_refresh values ($1, $2, $3, 'active')`, [uuidv7(), family, sha256(token)]);
      return { family, token };
    }),
  );
  let done = 0;
  const deadline = Date.now() + ms;
  const started = process.hrtime.bigint();
  await Promise.all(
    families.map(async (f) => {
      while (Date.now() < deadline) {
        const client = await pool.connect();
        try {
          await client.query('begin');
          const { rows } = await client.query(`select id from bench_raw_refresh where token_hash = $1 and status = 'active' for update`, [sha256(f.token)]);
          await client.query(`update bench_raw_refresh set status = 'rotated' where id = $1`, [rows[0].id]);
          const next = randomToken(32);
          await client.query(`insert into bench_raw_refresh values ($1, $2, $3, 'active')`, [uuidv7(), f.family, sha256(next)]);
          await client.query('commit');
          await new SignJWT({ sid: f.family }).setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt' }).setExpirationTime('10m').sign(privateKey);
          f.token = next;
          done++;
        } finally {
          client.release();
        }
      }
    }),
  );
  const perSecond = done / (Number(process.hrtime.bigint() - started) / 1e9);
  await pool.query('drop table bench_raw_refresh');
  await pool.end();
  return perSecond;
}

export const benchmarks: Benchmark[] = [verification, overHttp];
