// GraphQL: a typical list query over /graphql (`usersList(first: 50)` with the fields REST returns)
// next to the same page over REST (`GET /v1/users?limit=50`), in the same run against the same api
// process: requests per second at BENCH_GRAPHQL_CONCURRENCY, interleaved rounds, and the ratio of
// the two (the median of per-round ratios). Goal: GraphQL >= 0.7 of REST.
import { BENCH_PLATFORM_KEY, startApiProcess } from './processes';
import type { Benchmark, BenchRow } from './types';

const USERS = Number(process.env.BENCH_GRAPHQL_USERS ?? 50);
const ROUNDS = Number(process.env.BENCH_GRAPHQL_ROUNDS ?? 5);
const REQUESTS = Number(process.env.BENCH_GRAPHQL_REQUESTS ?? 400);
const CONCURRENCY = Number(process.env.BENCH_GRAPHQL_CONCURRENCY ?? 8);

const FIELDS = 'id email emailVerified displayName metadata disabled mfaEnabled createdAt updatedAt lastSignInAt';

async function call(base: string, method: string, path: string, tenant: string, body?: unknown): Promise<any> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${BENCH_PLATFORM_KEY}`, 'content-type': 'application/json', 'x-plinto-tenant': tenant },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as any;
  if (res.status >= 300 || json?.errors) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
  return json;
}

/** Requests per second of `one` run REQUESTS times, CONCURRENCY at a time. */
async function throughput(one: () => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < REQUESTS) await one();
    }),
  );
  return REQUESTS / ((performance.now() - started) / 1000);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export const benchmarks: Benchmark[] = [
  {
    name: 'graphql',
    async run(): Promise<BenchRow[]> {
      const server = await startApiProcess({ AUTH_IP_RATE_LIMIT_PER_MINUTE: '1000000' });
      const api = { url: `http://127.0.0.1:${server.port}` };
      try {
        const tenant = `bench-gql-${Date.now().toString(36)}`;
        await call(api.url, 'POST', '/v1/tenants', tenant, { slug: tenant, name: tenant });
        for (let i = 0; i < USERS; i += 10) {
          await Promise.all(
            Array.from({ length: Math.min(10, USERS - i) }, (_, j) =>
              call(api.url, 'POST', '/v1/auth/sign-up', tenant, { email: `u${i + j}@${tenant}.test`, password: `correct horse battery ${i + j}`, displayName: `User ${i + j}` }),
            ),
          );
        }
        const rest = () => call(api.url, 'GET', `/v1/users?limit=${USERS}`, tenant);
        const query = `query Users($first: Int) { usersList(first: $first) { nodes { ${FIELDS} } pageInfo { hasNextPage endCursor } } }`;
        const graphql = () => call(api.url, 'POST', '/graphql', tenant, { query, variables: { first: USERS } });
        // Same answer both ways before timing anything.
        const [viaRest, viaGraphql] = await Promise.all([rest(), graphql()]);
        if (viaGraphql.data.usersList.nodes.length !== viaRest.items.length) throw new Error('GraphQL and REST disagree on the page');
        await throughput(rest);
        await throughput(graphql);
        const restRates: number[] = [];
        const graphqlRates: number[] = [];
        const ratios: number[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          const r = await throughput(rest);
          const g = await throughput(graphql);
          restRates.push(r);
          graphqlRates.push(g);
          ratios.push(g / r);
        }
        return [
          {
            name: `list ${USERS} users: GraphQL usersList vs REST GET /v1/users`,
            figure: median(graphqlRates),
            baselineName: 'REST, same page, same process',
            baseline: median(restRates),
            unit: 'req/s',
            higherIsBetter: true,
            ratio: median(ratios),
            goal: '>= 0.70 of REST',
            note: `concurrency ${CONCURRENCY}, ${ROUNDS} interleaved rounds of ${REQUESTS}`,
          },
        ];
      } finally {
        await server.stop();
      }
    },
  },
];
