import { runLoad } from './load';
import { REPO_ROOT, startApiProcess, startServerProcess } from './processes';
import type { Benchmark, BenchRow } from './types';

const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 3000);

/** A public tRPC procedure over HTTP, next to a raw Node http server and an Express route. */
const publicProcedure: Benchmark = {
  name: 'foundation',
  async run(): Promise<BenchRow[]> {
    const api = await startApiProcess();
    const raw = await startServerProcess(`${REPO_ROOT}bench/src/servers/raw-http.mjs`);
    const hello = await startServerProcess(`${REPO_ROOT}bench/src/servers/express-hello.ts`);
    try {
      const trpcUrl = `http://127.0.0.1:${api.port}/trpc/system.ping`;
      await runLoad({ url: trpcUrl, durationMs: 500 }); // warm-up: JIT, connection pools
      const plinto = await runLoad({ url: trpcUrl, durationMs: DURATION_MS });
      const rawResult = await runLoad({ url: `http://127.0.0.1:${raw.port}/`, durationMs: DURATION_MS });
      const expressResult = await runLoad({ url: `http://127.0.0.1:${hello.port}/hello`, durationMs: DURATION_MS });
      const note = (r: { p50Ms: number; p99Ms: number; errors: number }) => `p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms${r.errors ? `, ${r.errors} errors` : ''}`;
      return [
        { name: 'tRPC public procedure (req/s)', figure: plinto.perSecond, baselineName: 'raw node:http hello', baseline: rawResult.perSecond, unit: 'req/s', higherIsBetter: true, note: note(plinto) },
        { name: 'tRPC public procedure (req/s)', figure: plinto.perSecond, baselineName: 'Express hello route', baseline: expressResult.perSecond, unit: 'req/s', higherIsBetter: true, note: note(expressResult) },
      ];
    } finally {
      await Promise.all([api.stop(), raw.stop(), hello.stop()]);
    }
  },
};

export const benchmarks: Benchmark[] = [publicProcedure];
