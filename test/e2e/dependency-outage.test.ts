import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { signedInUser, startPrivatePostgres, startPrivateRedis, startTestApi, startTestWorkers, waitFor, type TestApi } from '../src';
import { dishonest, runLoad, tally, type Answer, type LoadUser, type LoopState } from '../src/outage-load';

/**
 * A dependency outage under load, on servers this test owns (never the shared ones): every answer
 * is a success or a 503 with Retry-After (never a 500), /ready says 503, and once the server is
 * back everything recovers by itself with nothing lost or half-applied.
 */
const SURFACES = ['sign-in', 'token verification', 'refresh', 'write', 'read', 'trpc'];
const NEEDS_POSTGRES = ['sign-in', 'refresh', 'write', 'read', 'trpc'];
const LOOPS = 6;

async function usersOf(api: TestApi): Promise<LoadUser[]> {
  const users: LoadUser[] = [];
  for (let i = 0; i < 3; i++) {
    const user = await signedInUser(api, { email: `load-${i}@outage.test` });
    users.push({ email: user.email, password: user.password, tenant: 'default' });
  }
  return users;
}

const seenPerSurface = (answers: Answer[], status: (s: number) => boolean, surfaces = SURFACES) =>
  surfaces.every((surface) => answers.some((a) => a.surface === surface && status(a.status)));

/** Every tenant row has its audit event and its outbox row; every 201 has its row. */
async function assertNothingLostOrHalfApplied(databaseUrl: string, states: LoopState[]) {
  const db = new pg.Client({ connectionString: databaseUrl });
  db.on('error', () => undefined);
  await db.connect();
  try {
    const slugs = states.flatMap((s) => s.created);
    const { rows } = await db.query<{ slug: string; audited: number; outboxed: number }>(
      `select t.slug,
              (select count(*)::int from audit_events a where a.tenant_id = t.id and a.action = 'tenant.created') as audited,
              (select count(*)::int from outbox o where o.tenant_id = t.id) as outboxed
         from tenants t where t.slug = any($1::text[])`,
      [slugs.map((s) => s.slug)],
    );
    const stored = new Map(rows.map((r) => [r.slug, r]));
    for (const { slug, status } of slugs) {
      if (status === 201) expect(stored.has(slug), `tenant ${slug} answered 201 but is missing`).toBe(true);
      const row = stored.get(slug);
      // A 503 whose commit went through (the answer lost with the connection) is whole, not half.
      if (row) expect({ slug, audited: row.audited, outboxed: row.outboxed > 0 }).toEqual({ slug, audited: 1, outboxed: true });
    }
    // Every committed side effect left the outbox once the relay could reach Redis again.
    await waitFor(async () => (await db.query(`select count(*)::int as n from outbox where dispatched_at is null`)).rows[0].n === 0, 'the outbox to drain', 30_000);
  } finally {
    await db.end();
  }
}

describe('dependency outages under load', () => {
  it('PostgreSQL down: every answer is 2xx or 503 with Retry-After, /ready is 503, then it recovers by itself', async () => {
    const postgres = await startPrivatePostgres();
    const api = await startTestApi({ DATABASE_URL: postgres.urlFor('plinto_outage'), AUTH_IP_RATE_LIMIT_PER_MINUTE: '1000000' });
    await startTestWorkers(api.config);
    const users = await usersOf(api);

    const before = await runLoad(api, users, { loops: LOOPS, until: (a) => seenPerSurface(a, (s) => s < 300), maxRequests: 400, deadlineMs: 60_000 });
    expect(dishonest(before.answers), JSON.stringify(tally(before.answers))).toEqual([]);

    await postgres.stop();
    const during = await runLoad(api, users, {
      loops: LOOPS,
      continueFrom: before.states,
      // Until every surface that reads or writes PostgreSQL answered 503 at least once, a live
      // access token was checked, and /ready said 503.
      until: (a) => seenPerSurface(a, (s) => s === 503, NEEDS_POSTGRES) && seenPerSurface(a, () => true) && a.some((x) => x.surface === 'ready' && x.status === 503),
      maxRequests: 3000,
      deadlineMs: 90_000,
    });
    expect(dishonest(during.answers), JSON.stringify(tally(during.answers))).toEqual([]);
    expect(during.answers.filter((a) => a.status === 503 && a.surface !== 'ready').every((a) => a.code === 'SERVICE_UNAVAILABLE' || a.code === 'temporarily_unavailable'), JSON.stringify(tally(during.answers))).toBe(true);
    expect(seenPerSurface(during.answers, (s) => s === 503, NEEDS_POSTGRES), JSON.stringify(tally(during.answers))).toBe(true);
    // An access token is verified against the cached signing keys and the Redis revocation list.
    expect(during.answers.some((a) => a.surface === 'token verification'), JSON.stringify(tally(during.answers))).toBe(true);
    expect((await fetch(`${api.url}/health`)).status).toBe(200);

    await postgres.start();
    await waitFor(async () => (await fetch(`${api.url}/ready`)).status === 200, '/ready to recover', 30_000);
    const after = await runLoad(api, users, { loops: LOOPS, until: (a) => seenPerSurface(a, (s) => s < 300), maxRequests: 1000, deadlineMs: 60_000 });
    expect(seenPerSurface(after.answers, (s) => s < 300), JSON.stringify(tally(after.answers))).toBe(true);
    expect(after.answers.filter((a) => a.status >= 500 && a.surface !== 'ready'), JSON.stringify(tally(after.answers))).toEqual([]);

    await assertNothingLostOrHalfApplied(api.config.DATABASE_URL, [...before.states, ...during.states, ...after.states]);
  }, 300_000);

  it('Redis down: every answer is 2xx or 503 with Retry-After, /ready is 503, then it recovers by itself', async () => {
    const redis = await startPrivateRedis();
    const api = await startTestApi({ REDIS_URL: redis.url, AUTH_IP_RATE_LIMIT_PER_MINUTE: '1000000' });
    await startTestWorkers(api.config);
    const users = await usersOf(api);

    const before = await runLoad(api, users, { loops: LOOPS, until: (a) => seenPerSurface(a, (s) => s < 300), maxRequests: 400, deadlineMs: 60_000 });
    await redis.stop();
    const during = await runLoad(api, users, {
      loops: LOOPS,
      continueFrom: before.states,
      until: (a) => a.some((x) => x.surface === 'ready' && x.status === 503) && a.length >= 120,
      maxRequests: 2000,
      deadlineMs: 60_000,
    });
    expect(dishonest(during.answers), JSON.stringify(tally(during.answers))).toEqual([]);
    // Writes commit to PostgreSQL (their side effects wait in the outbox): Redis is not needed.
    expect(during.answers.some((a) => a.surface === 'write' && a.status === 201), JSON.stringify(tally(during.answers))).toBe(true);

    await redis.start();
    await waitFor(async () => (await fetch(`${api.url}/ready`)).status === 200, '/ready to recover', 30_000);
    const after = await runLoad(api, users, { loops: LOOPS, until: (a) => seenPerSurface(a, (s) => s < 300), maxRequests: 1000, deadlineMs: 60_000 });
    expect(seenPerSurface(after.answers, (s) => s < 300), JSON.stringify(tally(after.answers))).toBe(true);
    expect(after.answers.filter((a) => a.status >= 500 && a.surface !== 'ready'), JSON.stringify(tally(after.answers))).toEqual([]);

    await assertNothingLostOrHalfApplied(api.config.DATABASE_URL, [...during.states, ...after.states]);
  }, 300_000);

  it('a pool with no free connection in time answers 503 with Retry-After, and the waiting request then finishes', async () => {
    const api = await startTestApi({ DB_POOL_MAX: '1', DB_POOL_ACQUIRE_TIMEOUT_MS: '300' });
    const db = new pg.Client({ connectionString: api.config.DATABASE_URL });
    db.on('error', () => undefined);
    await db.connect();
    try {
      await db.query('begin');
      await db.query('lock table tenants in access exclusive mode');
      // A write takes the only pooled connection and waits on the lock…
      const held = api.rest('POST', '/v1/tenants', { body: { slug: 'held', name: 'held' } });
      await waitFor(
        async () => (await db.query(`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`)).rows[0].n === 1,
        'the pooled connection to wait on the lock',
      );
      // …so the next request finds no connection within the acquire timeout.
      const starved = await api.rest('GET', '/v1/tenants');
      expect(starved.status).toBe(503);
      expect(starved.body.error.code).toBe('SERVICE_UNAVAILABLE');
      expect(Number(starved.headers.get('retry-after'))).toBeGreaterThan(0);
      await db.query('commit');
      expect((await held).status).toBe(201);
    } finally {
      await db.end();
    }
  });
});
