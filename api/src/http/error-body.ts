import type { Response } from 'express';
import { errorCatalog, type ErrorField } from '@plinto/kernel';
import { setRetryAfter } from './failure-meta';

/** The error body of every non-tRPC response: `{ error: { code, message, fields?, requestId } }`. */
export interface RestErrorBody {
  error: { code: string; message: string; fields?: ErrorField[]; details?: Record<string, unknown>; requestId?: string };
}

export function sendError(res: Response, code: string, opts: { message?: string; fields?: ErrorField[]; details?: Record<string, unknown>; retryAfterSeconds?: number | null } = {}): void {
  const spec = errorCatalog.get(code) ?? { status: 500, message: 'Internal server error' };
  const body: RestErrorBody = {
    error: { code, message: opts.message ?? spec.message, fields: opts.fields, details: opts.details, requestId: res.req.id },
  };
  setRetryAfter(res, spec.status, opts.retryAfterSeconds);
  res.status(spec.status).json(body);
}
