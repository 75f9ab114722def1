import { ServiceRegistry, createLogger, createOrm, loadConfig, uuidv7, type MikroORM } from '@plinto/kernel';
import { operatorContext } from '@plinto/kernel/testing/context';
import { appRouter, platformSchema } from '@plinto/api';
import {
  AuthzEngine,
  AUTHZ_ENGINE,
  MikroOrmCasbinAdapter,
  createPolicy,
  permissionsFromRouter,
  buildPermissionCatalog,
  newCasbinEnforcer,
  rankOf,
  type DecisionContext,
  type DecisionRequest,
  type GroupingLine,
  type PolicyLine,
} from '@plinto/authz';
import { percentile, runLoad, type LoadResult } from './load';
import { BENCH_PLATFORM_KEY, startApiProcess } from './processes';
import type { Benchmark, BenchRow } from './types';

/**
 * The authorization engine at size: a tenant with 10,000 and one with 100,000 Casbin lines.
 * In process: the engine's decisions (compiled index; and the full decide path with the decision
 * cache on a skewed request mix) next to a plain Casbin Enforcer `enforce` over the same lines and
 * model, in the same run. Over HTTP: POST /v1/policies/evaluate next to a protected no-op procedure
 * (GET /v1/policies/version) on the same api process. Every phase is bounded in time.
 */
const PHASE_MS = Number(process.env.BENCH_AUTHZ_PHASE_MS ?? 1500);
const HTTP_MS = Number(process.env.BENCH_DURATION_MS ?? 3000);
const SIZES = (process.env.BENCH_AUTHZ_SIZES ?? '10000,100000').split(',').map(Number);
const progress = (message: string) => process.stderr.write(`  authz: ${message}\n`);
const VERBS = ['read', 'write', 'delete', 'share', 'export'];

/** Deterministic pseudo-random numbers, so every run measures the same data. */
function rng(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s % n;
  };
}

interface Dataset {
  policy: PolicyLine[];
  grouping: GroupingLine[];
  requests: DecisionRequest[];
}

/** ~85% user/resource policy lines (allow and deny, priorities), 5% role permissions, 10% assignments. */
function dataset(lines: number): Dataset {
  const rand = rng(lines);
  const users = Math.max(100, Math.floor(lines / 10));
  const roles = 40;
  const docs = lines;
  const policy: PolicyLine[] = [];
  const grouping: GroupingLine[] = [];
  const rolePermissionLines = Math.floor(lines * 0.05);
  for (let i = 0; i < rolePermissionLines; i++) {
    policy.push([`role:r${i % roles}`, '*', '*', `app${rand(200)}:${VERBS[rand(VERBS.length)]}`, 'allow', String(rankOf(0, 'allow')), `role:r${i % roles}`]);
  }
  for (let i = 0; grouping.length < Math.floor(lines * 0.1); i++) grouping.push([`user:u${i % users}`, `role:r${rand(roles)}`, '*']);
  while (policy.length + grouping.length < lines) {
    const effect = rand(5) === 0 ? 'deny' : 'allow';
    const resource = rand(10) === 0 ? `doc:${rand(docs)}*` : `doc:${rand(docs)}`;
    policy.push([`user:u${rand(users)}`, '*', resource, `docs:${VERBS[rand(VERBS.length)]}`, effect, String(rankOf(rand(5), effect)), `policy:p${policy.length % 5000}`]);
  }
  const requests: DecisionRequest[] = [];
  for (let i = 0; i < 20_000; i++) {
    const kind = rand(3);
    const subject = `user:u${rand(users + 10)}`;
    if (kind === 0) {
      const line = policy[rand(policy.length)]!; // a request some line is about
      requests.push({ subject: line[0].startsWith('user:') ? line[0] : subject, domain: '*', action: line[3], resource: line[2].replace('*', '1') });
    } else if (kind === 1) requests.push({ subject, domain: '*', action: `app${rand(200)}:${VERBS[rand(VERBS.length)]}`, resource: `app:${rand(100)}` });
    else requests.push({ subject, domain: '*', action: `docs:${VERBS[rand(VERBS.length)]}`, resource: `doc:${rand(docs)}` });
  }
  return { policy, grouping, requests };
}

const context = (request: DecisionRequest): DecisionContext => ({
  ip: '127.0.0.1',
  time: new Date(),
  mfa: false,
  subject: request.subject,
  subjectAttributes: {},
  resource: request.resource,
  resourceAttributes: {},
  extra: {},
});

interface Measured {
  perSecond: number;
  p99Us: number;
  count: number;
}

/** Calls `one` over the request pool for `ms` (at least `minimum` times); per-call latencies in µs. */
async function measure(requests: DecisionRequest[], ms: number, one: (r: DecisionRequest) => unknown, minimum = 5): Promise<Measured> {
  const latencies: number[] = [];
  const started = process.hrtime.bigint();
  const deadline = Date.now() + ms;
  for (let i = 0; Date.now() < deadline || latencies.length < minimum; i++) {
    const t0 = process.hrtime.bigint();
    const result = one(requests[i % requests.length]!);
    if (result instanceof Promise) await result;
    latencies.push(Number(process.hrtime.bigint() - t0) / 1000);
    if (latencies.length >= 2_000_000) break;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  return { perSecond: latencies.length / seconds, p99Us: percentile(latencies, 99), count: latencies.length };
}

/** Writes the dataset as the tenant's lines through the Casbin adapter, and bumps the version. */
async function seedTenant(orm: MikroORM, tenantId: string, data: Dataset): Promise<number> {
  return orm.em.fork().transactional(async (tx) => {
    await tx.execute('insert into authz_tenant_state (tenant_id) values (?) on conflict (tenant_id) do nothing', [tenantId]);
    const adapter = new MikroOrmCasbinAdapter(tx, tenantId);
    await adapter.addPolicies('p', 'p', data.policy);
    await adapter.addPolicies('g', 'g', data.grouping);
    const [row] = (await tx.execute('update authz_tenant_state set version = version + 1 where tenant_id = ? returning version', [tenantId])) as { version: string }[];
    return Number(row!.version);
  });
}

const authzBenchmark: Benchmark = {
  name: 'authz',
  async run(): Promise<BenchRow[]> {
    const api = await startApiProcess({ LOG_LEVEL: 'error' });
    const config = loadConfig({
      DATABASE_URL: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/plinto_bench',
      QUEUE_PREFIX: 'plinto_bench',
      LOG_LEVEL: 'silent',
      DB_POOL_MAX: '4',
    });
    const logger = createLogger(config, 'bench-authz');
    const orm = await createOrm(config, platformSchema, logger);
    const engine = new AuthzEngine({ orm, config, logger, catalog: buildPermissionCatalog(permissionsFromRouter(appRouter)) });
    await engine.start();
    const base = `http://127.0.0.1:${api.port}`;
    const headers = (slug: string) => ({ authorization: `Bearer ${BENCH_PLATFORM_KEY}`, 'x-plinto-tenant': slug, 'content-type': 'application/json' });
    const rows: BenchRow[] = [];
    const tenants: string[] = [];
    try {
      for (const size of SIZES) {
        const slug = `bench-authz-${size}-${uuidv7().slice(-8)}`;
        const created = await fetch(`${base}/v1/tenants`, { method: 'POST', headers: headers('default'), body: JSON.stringify({ slug, name: slug }) });
        const tenantId = ((await created.json()) as { id: string }).id;
        tenants.push(tenantId);
        const data = dataset(size);
        progress(`${size} lines: seeding`);
        const version = await seedTenant(orm, tenantId, data);
        await engine.changed(tenantId, version);
        progress(`${size} lines: loading`);
        const loadStart = Date.now();
        const snapshot = await engine.snapshot(tenantId);
        const loadMs = Date.now() - loadStart;
        const lines = snapshot.compiled.lineCount;

        progress(`${size} lines: measuring (loaded in ${loadMs} ms)`);
        // The compiled index alone (no cache): what every cache miss costs.
        const index = await measure(data.requests, PHASE_MS, (r) => snapshot.compiled.decide(r, () => context(r)));
        // The full in-process decision (snapshot lookup, decision cache, timeout guard).
        engine.cache.clear();
        engine.cache.resetStats();
        const skewed = skew(data.requests);
        const full = await measure(skewed, PHASE_MS, (r) => engine.decide(tenantId, r, () => context(r)));
        const hitRate = engine.cache.hitRate;
        progress(`${size} lines: raw Casbin`);
        // Plain Casbin over the same lines and model.
        // The data set has one domain, so Casbin's domain-pattern matching (which copies the role graph
        // on every g() call) is switched off: the baseline gets its best case.
        const enforcer = await newCasbinEnforcer(data.policy, data.grouping, () => null, { domainMatching: false });
        const casbin = await measure(data.requests, PHASE_MS, (r) => enforcer.enforce(r.subject, r.domain, r.resource, r.action, context(r)), 3);
        const label = `${size.toLocaleString('en-US')} lines`;
        rows.push(
          { name: `decisions/s, ${label} (compiled index, uncached)`, figure: index.perSecond, baselineName: 'Casbin enforce', baseline: casbin.perSecond, unit: 'dec/s', higherIsBetter: true, note: `${lines} lines loaded in ${loadMs} ms; casbin n=${casbin.count}` },
          { name: `decision p99, ${label} (full in-process path)`, figure: full.p99Us, baselineName: 'Casbin enforce p99', baseline: casbin.p99Us, unit: 'µs', higherIsBetter: false, goal: size === 100_000 ? 'p99 <= 1000 µs' : undefined, note: `index p99 ${index.p99Us.toFixed(1)} µs; ${Math.round(full.perSecond).toLocaleString('en-US')} dec/s` },
          { name: `decision cache hit rate, ${label} (skewed mix)`, figure: hitRate * 100, baselineName: 'every decision', baseline: 100, unit: '%', higherIsBetter: true, note: `${engine.cache.hits} hits / ${engine.cache.misses} misses` },
        );

        if (size === Math.max(...SIZES)) {
          // A change made in this process (its own engine, as a second api process would) reaches
          // the api process as a delta over Redis pub/sub: compare with reloading the tenant.
          progress(`${size} lines: propagation`);
          const probe = async () => {
            const res = await fetch(`${base}/v1/policies/evaluate`, { method: 'POST', headers: headers(slug), body: JSON.stringify({ subject: 'user:bench-probe', action: 'probe:read', resource: 'probe:1' }) });
            return (await res.json()) as { result: { allow: boolean }; decidedBy: string };
          };
          for (let attempt = 0; attempt < 50 && (await probe()).decidedBy !== 'engine'; attempt++) await new Promise((r) => setTimeout(r, 200));
          const asOperator = operatorContext({
            em: orm.em.fork(),
            config,
            tenant: { id: tenantId, slug, name: slug, status: 'active', settings: {} },
            services: new ServiceRegistry().set(AUTHZ_ENGINE, engine),
          });
          const t0 = Date.now();
          await createPolicy(asOperator, { name: 'probe', effect: 'allow', priority: 0, subjects: ['user:bench-probe'], actions: ['probe:read'], resources: ['*'] });
          const committedMs = Date.now() - t0;
          let probes = 0;
          while (!(await probe()).result.allow && Date.now() - t0 < 10_000) {
            probes++;
            await new Promise((r) => setTimeout(r, 5));
          }
          progress(`change committed in ${committedMs} ms, enforced after ${Date.now() - t0} ms (${probes} probes)`);
          rows.push({
            name: `policy change enforced by another process, ${label}`,
            figure: Date.now() - t0,
            baselineName: 'reloading the tenant policy',
            baseline: loadMs,
            unit: 'ms',
            higherIsBetter: false,
            goal: '< 1000 ms',
            note: 'commit + pub/sub delta + HTTP evaluate polled every 5 ms',
          });
        }

        if (size === SIZES[0]) {
          // Over HTTP on the api process: evaluate vs a protected no-op, same tenant, same credential.
          const evaluateBody = (i: number) => {
            const r = data.requests[i % data.requests.length]!;
            return JSON.stringify({ subject: r.subject, action: r.action, resource: r.resource });
          };
          progress('HTTP');
          let i = 0;
          await runLoad({ url: `${base}/v1/policies/version`, headers: headers(slug), durationMs: 500, concurrency: 16 });
          await runLoad({ url: `${base}/v1/policies/evaluate`, method: 'POST', headers: headers(slug), body: () => evaluateBody(i++), durationMs: 500, concurrency: 16 });
          // Alternating short rounds, so drifting machine load hits both sides alike.
          const rounds = 4;
          const noopRounds: LoadResult[] = [];
          const evaluateRounds: LoadResult[] = [];
          for (let round = 0; round < rounds; round++) {
            noopRounds.push(await runLoad({ url: `${base}/v1/policies/version`, headers: headers(slug), durationMs: HTTP_MS / rounds, concurrency: 16 }));
            evaluateRounds.push(await runLoad({ url: `${base}/v1/policies/evaluate`, method: 'POST', headers: headers(slug), body: () => evaluateBody(i++), durationMs: HTTP_MS / rounds, concurrency: 16 }));
          }
          const noop = combine(noopRounds);
          const evaluate = combine(evaluateRounds);
          rows.push({
            name: `POST /v1/policies/evaluate, ${label} (req/s)`,
            figure: evaluate.perSecond,
            baselineName: 'protected no-op GET /v1/policies/version',
            baseline: noop.perSecond,
            unit: 'req/s',
            higherIsBetter: true,
            goal: '>= 0.80 of baseline',
            note: `p99 ${evaluate.p99Ms.toFixed(2)} ms vs ${noop.p99Ms.toFixed(2)} ms${evaluate.errors + noop.errors ? `, ${evaluate.errors + noop.errors} errors` : ''}`,
          });
        }
      }
      return rows;
    } finally {
      for (const tenantId of tenants) {
        await orm.em.fork().execute('delete from authz_rules where tenant_id = ?', [tenantId]).catch(() => undefined);
        await orm.em.fork().execute('delete from tenants where id = ?', [tenantId]).catch(() => undefined);
      }
      await engine.close();
      await orm.close();
      await api.stop();
    }
  },
};

/** Rounds merged: total requests over total time; the median round's p99. */
function combine(rounds: LoadResult[]): LoadResult {
  const requests = rounds.reduce((n, r) => n + r.requests, 0);
  const seconds = rounds.reduce((n, r) => n + r.seconds, 0);
  const p99s = rounds.map((r) => r.p99Ms).sort((a, b) => a - b);
  const p50s = rounds.map((r) => r.p50Ms).sort((a, b) => a - b);
  return { requests, seconds, perSecond: requests / seconds, p50Ms: p50s[p50s.length >> 1]!, p99Ms: p99s[p99s.length >> 1]!, errors: rounds.reduce((n, r) => n + r.errors, 0) };
}

/** A realistic mix: a few hot (subject, action, resource) triples asked again and again. */
function skew(requests: DecisionRequest[]): DecisionRequest[] {
  const rand = rng(7);
  const hot = requests.slice(0, 500);
  return Array.from({ length: 50_000 }, () => (rand(10) < 8 ? hot[rand(hot.length)]! : requests[rand(requests.length)]!));
}

export const benchmarks: Benchmark[] = [authzBenchmark];
