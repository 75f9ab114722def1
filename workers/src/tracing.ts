import type { Job, Processor } from 'bullmq';
import { contextOf, inSpan, SpanKind } from '@plinto/kernel';

/**
 * Each job runs in a span that continues the trace its payload carries (`traceparent`, written by
 * the request that made the change, see kernel observability/tracing.ts): api → outbox → worker.
 */
export function tracedProcessor(queue: string, processor: Processor): Processor {
  return (job: Job, token?: string) =>
    inSpan(
      'plinto-workers',
      `job ${queue}`,
      {
        kind: SpanKind.CONSUMER,
        parent: contextOf((job.data as { traceparent?: unknown } | undefined)?.traceparent),
        attributes: { 'messaging.system': 'bullmq', 'messaging.destination.name': queue, 'messaging.operation.name': job.name, 'plinto.job.attempt': job.attemptsMade + 1 },
      },
      () => processor(job, token),
    );
}
