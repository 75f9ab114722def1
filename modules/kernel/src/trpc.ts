import { initTRPC } from '@trpc/server';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import superjson from 'superjson';
import type { OpenApiMeta } from 'trpc-to-openapi';
import { ZodError } from 'zod';
import { AppError, CommonErrors, appCodeForTrpcCode, errorCatalog, type ErrorField } from './errors';
import type { Context } from './context';
import { isDependencyOutage, serviceUnavailable } from './errors/outage';

/** Procedure metadata: the OpenAPI operation, and the HTTP status of a success (default 200). */
export type PlintoMeta = OpenApiMeta<{
  successStatus?: number;
  /** The permission (`resource:action`) a protected procedure requires; see `protectedProcedure`. */
  permission?: string;
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
        error instanceof AppError ? error.message : data.httpStatus < 500 ? shape.message : (errorCatalog.get('INTERNAL')?.message ?? 'Internal server error');
      return {
        message: data.code === 'VALIDATION_FAILED' && !(error instanceof AppError) ? 'The request is invalid' : message,
        code: TRPC_ERROR_CODES_BY_KEY[error.code] ?? shape.code,
        data: { ...data, path, requestId: ctx?.request.requestId },
      };
    },
  });

export const router = t.router;
export const middleware = t.middleware;
export const mergeRouters = t.mergeRouters;
export const createCallerFactory = t.createCallerFactory;

/** Anyone may call it. */
export const publicProcedure = t.procedure;

/** Needs a valid credential of any kind. */
export const authedProcedure = t.procedure.use(async ({ ctx, next }) => {
  const principal = await ctx.getPrincipal();
  if (!principal) throw CommonErrors.UNAUTHENTICATED();
  return next({ ctx: { principal } });
});

/** Needs a platform API key: the operator managing tenants. */
export const platformAdminProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.principal.kind !== 'platform_operator') throw CommonErrors.FORBIDDEN();
  return next({ ctx: { principal: ctx.principal } });
});

/** Resolves the request's tenant (credential, X-Plinto-Tenant, or `default`); refuses disabled ones. */
export const tenantProcedure = t.procedure.use(async ({ ctx, next }) => {
  const tenant = await ctx.resolveTenant();
  return next({ ctx: { tenant } });
});

/**
 * A tenant-scoped procedure that requires `permission` (`resource:action`), decided by the
 * authorization engine wired into the context — never by ad-hoc role checks in procedures.
 * The permission is also recorded in the procedure's meta, so the permission catalog and the
 * OpenAPI document can list it. Procedures that act on a specific object check it again with
 * `ctx.authorize({ ..., resource })` once they know the object.
 */
export function protectedProcedure(permission: string) {
  return authedProcedure
    .meta({ permission })
    .use(async ({ ctx, next }) => {
      const tenant = await ctx.resolveTenant();
      const decision = await ctx.authorize({ principal: ctx.principal, tenant, permission });
      if (!decision.allow) throw CommonErrors.FORBIDDEN({ details: { permission } });
      return next({ ctx: { tenant } });
    });
}
