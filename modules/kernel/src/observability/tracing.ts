import { context, propagation, trace, SpanKind, SpanStatusCode, type Attributes, type Context, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, SimpleSpanProcessor, TracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';

export { SpanKind, SpanStatusCode, type Span };

/**
 * OpenTelemetry tracing. Off by default: without `startTracing` the API is a no-op and costs next
 * to nothing. `OTEL_TRACES_EXPORTER=otlp` sends spans over OTLP/HTTP (`OTEL_EXPORTER_OTLP_ENDPOINT`,
 * default http://localhost:4318, and the other standard OTEL_* variables); tests pass an in-memory
 * exporter instead. One request is followed across processes: the api's span context rides in the
 * outbox row's payload (`traceparent`, W3C), the relay copies it into the BullMQ job, and the
 * workers continue the trace from it — api → outbox → worker → webhook or email.
 */
let provider: TracerProvider | undefined;

export interface TracingOptions {
  serviceName: string;
  /** An exporter of the caller's (tests: InMemorySpanExporter); else from OTEL_TRACES_EXPORTER. */
  exporter?: SpanExporter;
  env?: NodeJS.ProcessEnv;
}

export function startTracing(options: TracingOptions): { enabled: boolean; shutdown(): Promise<void> } {
  const env = options.env ?? process.env;
  const wanted = options.exporter ? 'custom' : (env.OTEL_TRACES_EXPORTER ?? 'none').trim().toLowerCase();
  if (wanted === 'none' || wanted === '' || provider) return { enabled: Boolean(provider), shutdown: async () => undefined };
  if (wanted !== 'custom' && wanted !== 'otlp') throw new Error(`OTEL_TRACES_EXPORTER must be none or otlp (got ${wanted})`);
  const processor = options.exporter ? new SimpleSpanProcessor({ exporter: options.exporter }) : new BatchSpanProcessor({ exporter: new OTLPTraceExporter() });
  const current = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME ?? options.serviceName }),
    spanProcessors: [processor],
  });
  provider = current;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(current);
  return {
    enabled: true,
    shutdown: async () => {
      await current.shutdown().catch(() => undefined);
    },
  };
}

/** Whether this process traces (startTracing ran with an exporter): hot paths skip span work otherwise. */
export const tracingActive = (): boolean => provider !== undefined;

/** Spans of one Plinto process are named by its component (`plinto-api`, `plinto-workers`). */
export const tracer = (component: string) => trace.getTracer(component);

/** The current span's context as a W3C `traceparent`, to carry in a payload; undefined when not tracing. */
export function currentTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/** The context a payload's `traceparent` names (the root context when it has none). */
export function contextOf(traceparent: unknown): Context {
  if (typeof traceparent !== 'string') return context.active();
  return propagation.extract(context.active(), { traceparent });
}

/**
 * Runs `work` inside a new span (child of `parent`, else of the active span), records an exception
 * and an error status when it throws, and ends the span either way.
 */
export async function inSpan<T>(
  component: string,
  name: string,
  options: { attributes?: Attributes; kind?: SpanKind; parent?: Context },
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active();
  return tracer(component).startActiveSpan(name, { attributes: options.attributes, kind: options.kind }, parent, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message?.slice(0, 200) });
      throw error;
    } finally {
      span.end();
    }
  });
}
