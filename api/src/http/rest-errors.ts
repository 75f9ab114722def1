import type { NextFunction, Request, Response } from 'express';
import { errorCatalog, type PlintoErrorData } from '@plinto/kernel';
import type { RestErrorBody } from './error-body';

/**
 * trpc-to-openapi answers errors as `{ ...errorShape, message, code: <tRPC code>, issues }`. REST
 * clients get the same body as every other non-tRPC error instead: the machine-readable code from
 * our error formatter at `error.code`, field paths at `error.fields`, and never zod's raw issues.
 * This rewrites the body of /v1 error responses just before they are sent.
 */
export function restErrorShape(req: Request, res: Response, next: NextFunction): void {
  const end = res.end.bind(res) as (...args: unknown[]) => Response;
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    if (res.statusCode >= 400 && (typeof chunk === 'string' || Buffer.isBuffer(chunk))) {
      try {
        const shape = JSON.parse(chunk.toString()) as { message?: string; data?: PlintoErrorData; issues?: unknown };
        if (shape.data?.code) {
          // trpc-to-openapi replaces the message of input validation errors with its own wording.
          const message = shape.issues ? errorCatalog.get('VALIDATION_FAILED')?.message : shape.message;
          const body: RestErrorBody = {
            error: {
              code: shape.data.code,
              message: message ?? 'Error',
              fields: shape.data.fields,
              details: shape.data.details,
              requestId: shape.data.requestId ?? req.id,
            },
          };
          chunk = JSON.stringify(body);
        }
      } catch {
        // Not JSON: leave it as it is.
      }
    }
    return end(chunk, ...rest);
  }) as Response['end'];
  next();
}

/**
 * trpc-to-openapi insists on a JSON content type for every POST/PATCH/DELETE, even one whose input
 * lives entirely in the path (`POST /v1/tenants/{id}/disable`). A bodiless request is treated as
 * an empty JSON object instead of being refused with 415.
 */
export function emptyBodyAsJson(req: Request, _res: Response, next: NextFunction): void {
  const length = req.headers['content-length'];
  const hasBody = req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
  if (!hasBody && !req.headers['content-type'] && req.method !== 'GET' && req.method !== 'HEAD') {
    req.headers['content-type'] = 'application/json';
    req.body = {};
  }
  next();
}
