import type { NextFunction, Request, Response } from 'express';
import { Registry, collectDefaultMetrics, Histogram } from 'prom-client';

/** Prometheus metrics of one api instance (its own registry, so tests can run several in-process). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const duration = new Histogram({
    name: 'plinto_http_request_duration_seconds',
    help: 'HTTP request duration by surface, method and status',
    // Bounded label values only: the surface (trpc, v1, other), never the raw path.
    labelNames: ['surface', 'method', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });

  function observe(req: Request, res: Response, next: NextFunction): void {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      // originalUrl: mounted routers rewrite req.url/req.path while they run.
      const path = req.originalUrl;
      const surface = path.startsWith('/trpc') ? 'trpc' : path.startsWith('/v1') ? 'v1' : 'other';
      duration.observe(
        { surface, method: req.method, status: String(res.statusCode) },
        Number(process.hrtime.bigint() - start) / 1e9,
      );
    });
    next();
  }

  async function serve(_req: Request, res: Response): Promise<void> {
    res.setHeader('Content-Type', registry.contentType);
    res.send(await registry.metrics());
  }

  return { observe, serve, registry };
}
