import type { Response } from 'express';
import { AppError, isDependencyOutage, retryAfterOf } from '@plinto/kernel';

/**
 * The status and headers of a tRPC or REST answer that carries errors: a dependency outage is a
 * 503 (the error formatter gives it the SERVICE_UNAVAILABLE code; trpc-to-openapi would otherwise
 * answer the 500 of its tRPC code), and every 429 and 503 tells the client when to come back.
 */
export function failureMeta(errors: readonly unknown[]): { status?: number; headers?: Record<string, string> } {
  if (errors.length === 0) return {};
  const outage = errors.some((error) => !(error instanceof AppError) && isDependencyOutage(error));
  const waits = errors.map(retryAfterOf).filter((s): s is number => s !== null);
  return {
    ...(outage ? { status: 503 } : {}),
    ...(waits.length > 0 ? { headers: { 'retry-after': String(Math.max(...waits)) } } : {}),
  };
}

/** Sets Retry-After on a plain Express answer of `status` (429 or 503); `seconds` when known. */
export function setRetryAfter(res: Response, status: number, seconds?: number | null): void {
  if (status === 429 || status === 503) res.setHeader('Retry-After', String(seconds ?? (status === 503 ? 5 : 1)));
}
