import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The Prometheus registry of this process (api or workers), served at its /metrics. Modules define
 * their metrics here through the helpers below, which return the metric already registered under
 * that name (a module imported twice, or several api instances in one test process, share it).
 * Names start with `plinto_`; labels take bounded values only (never ids, emails or paths).
 */
export const processRegistry = new Registry();

let defaultsCollected = false;
/** Node's own metrics (event-loop lag, heap, GC, handles, CPU), once per process. */
export function collectNodeMetrics(): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  collectDefaultMetrics({ register: processRegistry, eventLoopMonitoringPrecision: 10 });
}

type Config<T extends string> = { name: string; help: string; labelNames?: readonly T[] };

function existing<M>(name: string): M | undefined {
  return processRegistry.getSingleMetric(name) as M | undefined;
}

export function counter<T extends string = string>(config: Config<T>): Counter<T> {
  return existing<Counter<T>>(config.name) ?? new Counter<T>({ ...config, labelNames: config.labelNames ?? [], registers: [processRegistry] });
}

export function gauge<T extends string = string>(config: Config<T> & { collect?: (this: Gauge<T>) => void | Promise<void> }): Gauge<T> {
  return existing<Gauge<T>>(config.name) ?? new Gauge<T>({ ...config, labelNames: config.labelNames ?? [], registers: [processRegistry] });
}

export function histogram<T extends string = string>(config: Config<T> & { buckets?: number[] }): Histogram<T> {
  return existing<Histogram<T>>(config.name) ?? new Histogram<T>({ ...config, labelNames: config.labelNames ?? [], registers: [processRegistry] });
}
