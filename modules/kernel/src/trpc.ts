import { initTRPC, type TRPCError } from '@trpc/server';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import superjson from 'superjson';
import type { OpenApiMeta } from 'trpc-to-openapi';
import { ZodError } from 'zod';
import { AppError, appCodeForTrpcCode, errorCatalog, type ErrorField } from './errors';
import type { Context } from './context';
import { isDependencyOutage, serviceUnavailable } from './errors/outage';

/** Procedure metadata: the OpenAPI operation, and the HTTP status of a success (default 200). */
export type PlintoMeta = OpenApiMeta<{
  successStatus?: number;
  /** The permission (`resource:action`) the procedure's service requires of its caller. */
  permission?: string;
  /**
   * For procedures that require no permission: `public` (anyone, e.g. sign-in), `self` (a signed-in
   * principal acting on itself, e.g. its own sessions), `platform` (platform operators only).
   */
  access?: 'public' | 'self' | 'platform';
}>;

export interface PlintoErrorData {
  /** Machine-readable error code (SCREAMING_SNAKE). */
  code: string;
  httpStatus: number;
  fields?: ErrorField[];
  details?: Record<string, unknown>;
  requestId?: string;
  path?: string;
}

function fieldsFromZod(error: ZodError): ErrorField[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
    code: issue.code,
  }));
}

const t = initTRPC
  .context<Context>()
  .meta<PlintoMeta>()
  .create({
    transformer: superjson,
    // Stacks never leave the process, in any environment; they are logged with the request id.
    isDev: false,
    errorFormatter({ shape, error, ctx, path }) {
      const { data, message } = plintoError(error, shape.message);
      return {
        message,
        code: TRPC_ERROR_CODES_BY_KEY[error.code] ?? shape.code,
        data: { ...data, path, requestId: ctx?.request.requestId },
      };
    },
  });

/**
 * What a caller is told about a failed procedure: Plinto's code, HTTP status, fields at fault and
 * a message free of internals. tRPC, REST and GraphQL all answer with it.
 */
export function plintoError(error: TRPCError, fallbackMessage: string = error.message): { data: PlintoErrorData; message: string } {
  let data: PlintoErrorData;
  // PostgreSQL or Redis unreachable, or a pool exhausted: 503 with Retry-After, never a 500.
  if (!(error instanceof AppError) && isDependencyOutage(error)) error = serviceUnavailable(error);
  if (error instanceof AppError) {
    data = { code: error.appCode, httpStatus: error.status, fields: error.fields, details: error.details };
  } else if (error.cause instanceof ZodError) {
    data = { code: 'VALIDATION_FAILED', httpStatus: 400, fields: fieldsFromZod(error.cause) };
  } else {
    const code = appCodeForTrpcCode(error.code);
    data = { code, httpStatus: errorCatalog.get(code)?.status ?? 500 };
  }
  // Anything we did not raise on purpose may carry SQL or internals in its message.
  const message =
    error instanceof AppError ? error.message : data.httpStatus < 500 ? fallbackMessage : (errorCatalog.get('INTERNAL')?.message ?? 'Internal server error');
  return { data, message: data.code === 'VALIDATION_FAILED' && !(error instanceof AppError) ? 'The request is invalid' : message };
}

export const router = t.router;
export const middleware = t.middleware;
export const mergeRouters = t.mergeRouters;
export const createCallerFactory = t.createCallerFactory;

/** Needs nothing, not even a tenant (liveness). Every other procedure uses `procedure`. */
export const publicProcedure = t.procedure;

/**
 * Every Plinto procedure: the call's service context — tenant, principal (401 for a credential
 * that is sent but not valid), authorizer — is built once and handed on as `ctx.sc`. The procedure
 * only parses, calls a service with it and maps the result: the service decides the permission,
 * so every transport gets the same decision. Meta declares what the service enforces
 * (`permission`, or `access` when none is needed), for the catalog, the OpenAPI document and the
 * test that walks every procedure.
 */
export const procedure = t.procedure.use(async ({ ctx, next }) => next({ ctx: { sc: await ctx.serviceContext() } }));
