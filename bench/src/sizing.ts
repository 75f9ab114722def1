// `pnpm bench sizing`: a sizing table like Keycloak's, for this machine — throughput of the main
// operations with 1 and with 2 api processes (one database, one Redis, one workers process; the
// load client spreads its connections over the api processes, as DNS round robin would), in
// interleaved rounds, and the 2-process figure per vCPU. The load client runs on the same cores,
// so per-vCPU figures are a floor. Webhook deliveries/s come from `pnpm bench webhooks`; realtime
// connections are pending (the realtime module lands later).
import { availableParallelism } from 'node:os';
import { runLoad, type LoadResult } from './load';
import { machineLoad } from './peers/machine-load';
import { startPlinto } from './peers/systems';
import type { Benchmark, BenchRow } from './types';

const ROUNDS = Number(process.env.BENCH_SIZING_ROUNDS ?? 3);
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 3000);
const CONCURRENCY = 16;
const OPS = [
  ['sign-in', 'sign-ins/s (argon2id, OWASP parameters)'],
  ['token refresh', 'refreshes/s (rotation, reuse detection)'],
  ['client credentials', 'client-credentials grants/s'],
  ['evaluate', 'policy evaluations/s (POST /v1/policies/evaluate)'],
] as const;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const sizing: Benchmark = {
  name: 'sizing',
  async run(): Promise<BenchRow[]> {
    const before = await machineLoad();
    const plinto = await startPlinto(CONCURRENCY, 2);
    const cores = availableParallelism();
    try {
      const results = new Map<string, LoadResult[]>();
      for (let round = -1; round < ROUNDS; round++) {
        for (const [op] of OPS) {
          for (const processes of round % 2 ? [1, 2] : [2, 1]) {
            const result = await runLoad({ concurrency: CONCURRENCY, ...plinto.ops[op]!.load(processes), durationMs: round < 0 ? 1500 : DURATION_MS });
            if (round >= 0) results.set(`${op}|${processes}`, [...(results.get(`${op}|${processes}`) ?? []), result]);
          }
        }
      }
      const after = await machineLoad();
      const rows: BenchRow[] = [];
      const lines: string[] = [];
      for (const [op, label] of OPS) {
        const one = median(results.get(`${op}|1`)!.map((r) => r.perSecond));
        const two = median(results.get(`${op}|2`)!.map((r) => r.perSecond));
        const errors = [...results.get(`${op}|1`)!, ...results.get(`${op}|2`)!].reduce((n, r) => n + r.errors, 0);
        // Per vCPU: the better of the two layouts, over every core of the machine.
        const perVcpu = Math.round(Math.max(one, two) / cores);
        rows.push({ name: `${label}, 2 api processes vs 1`, figure: two, baselineName: '1 api process', baseline: one, unit: 'ops/s', higherIsBetter: true, note: `${perVcpu}/s per vCPU${errors ? `; ${errors} errors` : ''}` });
        lines.push(`| ${label} | ${perVcpu} | ${Math.round(one)} | ${Math.round(two)} | ${(two / one).toFixed(2)}x |`);
      }
      console.log(
        [
          '',
          `Sizing on this machine (${cores} vCPUs shared with the load client), concurrency ${CONCURRENCY}, median of ${ROUNDS} interleaved rounds of ${DURATION_MS / 1000} s`,
          `machine before: ${before}`,
          `machine after:  ${after}`,
          '',
          '| operation | per vCPU (better layout) | 1 api process | 2 api processes | 1 → 2 |',
          '|---|---|---|---|---|',
          ...lines,
          '| webhook deliveries/s | see `pnpm bench webhooks` | | | |',
          '| realtime connections held | pending (realtime module, issue #17) | | | |',
        ].join('\n'),
      );
      return rows;
    } finally {
      await plinto.stop();
    }
  },
};

export const benchmarks: Benchmark[] = [sizing];
