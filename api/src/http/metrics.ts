import type { Request, Response } from 'express';
import { collectNodeMetrics, histogram, observePool, processRegistry, type MikroORM } from '@plinto/kernel';
import type { Histogram } from 'prom-client';

/**
 * Prometheus metrics of the api process (kernel's process registry): HTTP durations here, the
 * auth and authz metrics where they happen (observability/), PostgreSQL pool use and Node's own
 * (event-loop lag, heap, GC). Served at /metrics.
 */
export function createMetrics(orm: MikroORM) {
  collectNodeMetrics();
  observePool(orm);
  const duration = histogram({
    name: 'plinto_http_request_duration_seconds',
    help: 'HTTP request duration by surface, method and status',
    // Bounded label values only: the surface (trpc, v1, other), never the raw path.
    labelNames: ['surface', 'method', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  });

  // One child per label set, looked up by a short key: prom-client otherwise re-hashes the label
  // object on every observation. Label values are bounded (surface, method, status).
  const series = new Map<string, Histogram.Internal<'surface' | 'method' | 'status'>>();
  const seriesOf = (surface: string, method: string, status: number) => {
    const key = `${surface} ${method} ${status}`;
    let child = series.get(key);
    if (!child) series.set(key, (child = duration.labels({ surface, method, status: String(status) })));
    return child;
  };

  /** Records one finished response (called from the access log's finish listener). */
  function observe(req: Request, res: Response, seconds: number): void {
    // originalUrl: mounted routers rewrite req.url/req.path while they run.
    const path = req.originalUrl;
    const surface = path.startsWith('/trpc') ? 'trpc' : path.startsWith('/v1') ? 'v1' : 'other';
    seriesOf(surface, req.method, res.statusCode).observe(seconds);
  }

  async function serve(_req: Request, res: Response): Promise<void> {
    res.setHeader('Content-Type', processRegistry.contentType);
    res.send(await processRegistry.metrics());
  }

  return { observe, serve, registry: processRegistry };
}
