import { TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';

/**
 * One error map for the whole platform: every machine-readable code (SCREAMING_SNAKE) has exactly
 * one HTTP status, and every HTTP status one tRPC code, so /trpc and /v1 always agree.
 */
export interface ErrorField {
  /** Dotted path of the input field at fault, e.g. `settings.appUrl`. */
  path: string;
  message: string;
  code?: string;
}

export interface ErrorSpec {
  status: number;
  message: string;
}

const TRPC_CODE_BY_STATUS: Record<number, TRPC_ERROR_CODE_KEY> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  402: 'PAYMENT_REQUIRED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_SUPPORTED',
  408: 'TIMEOUT',
  409: 'CONFLICT',
  412: 'PRECONDITION_FAILED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE_CONTENT',
  429: 'TOO_MANY_REQUESTS',
  500: 'INTERNAL_SERVER_ERROR',
  501: 'NOT_IMPLEMENTED',
  502: 'BAD_GATEWAY',
  503: 'SERVICE_UNAVAILABLE',
  504: 'GATEWAY_TIMEOUT',
};

export const trpcCodeForStatus = (status: number): TRPC_ERROR_CODE_KEY =>
  TRPC_CODE_BY_STATUS[status] ?? (status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST');

/** Every code any module has defined, for documentation and for mapping tRPC's own errors. */
export const errorCatalog = new Map<string, ErrorSpec>();

export class AppError extends TRPCError {
  readonly appCode: string;
  readonly status: number;
  readonly fields: ErrorField[] | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    appCode: string,
    spec: ErrorSpec,
    opts: { message?: string; fields?: ErrorField[]; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super({ code: trpcCodeForStatus(spec.status), message: opts.message ?? spec.message, cause: opts.cause });
    this.appCode = appCode;
    this.status = spec.status;
    this.fields = opts.fields;
    this.details = opts.details;
  }
}

type ErrorFactory = (opts?: ConstructorParameters<typeof AppError>[2]) => AppError;

/**
 * Declares a module's error codes. Returns a factory per code:
 * `throw TenantErrors.TENANT_NOT_FOUND()`.
 */
export function defineErrors<const T extends Record<string, ErrorSpec>>(specs: T): { [K in keyof T]: ErrorFactory } {
  const factories = {} as { [K in keyof T]: ErrorFactory };
  for (const [code, spec] of Object.entries(specs)) {
    const known = errorCatalog.get(code);
    if (known && known.status !== spec.status) {
      throw new Error(`Error code ${code} is defined twice with different statuses`);
    }
    errorCatalog.set(code, spec);
    factories[code as keyof T] = (opts) => new AppError(code, spec, opts);
  }
  return factories;
}

/** Codes every module may use. */
export const CommonErrors = defineErrors({
  VALIDATION_FAILED: { status: 400, message: 'The request is invalid' },
  MALFORMED_REQUEST: { status: 400, message: 'The request body is not valid JSON' },
  UNAUTHENTICATED: { status: 401, message: 'Authentication is required' },
  INVALID_CREDENTIALS: { status: 401, message: 'The credentials are not valid' },
  FORBIDDEN: { status: 403, message: 'You do not have permission to do this' },
  NOT_FOUND: { status: 404, message: 'Not found' },
  ROUTE_NOT_FOUND: { status: 404, message: 'No such route' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'Method not allowed' },
  CONFLICT: { status: 409, message: 'The request conflicts with the current state' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Unsupported content type' },
  RATE_LIMITED: { status: 429, message: 'Too many requests' },
  BATCH_TOO_LARGE: { status: 400, message: 'Too many calls in one batch' },
  INTERNAL: { status: 500, message: 'Internal server error' },
  SERVICE_UNAVAILABLE: { status: 503, message: 'A dependency is unavailable; try again shortly' },
  TENANT_NOT_FOUND: { status: 404, message: 'Tenant not found' },
  TENANT_DISABLED: { status: 403, message: 'This tenant is disabled' },
});

/** The code used for one of tRPC's own errors (not an AppError), e.g. a parse error. */
export function appCodeForTrpcCode(code: TRPC_ERROR_CODE_KEY): string {
  switch (code) {
    case 'PARSE_ERROR':
      return 'MALFORMED_REQUEST';
    case 'BAD_REQUEST':
      return 'VALIDATION_FAILED';
    case 'UNAUTHORIZED':
      return 'UNAUTHENTICATED';
    case 'FORBIDDEN':
      return 'FORBIDDEN';
    case 'NOT_FOUND':
      return 'ROUTE_NOT_FOUND';
    case 'METHOD_NOT_SUPPORTED':
      return 'METHOD_NOT_ALLOWED';
    case 'PAYLOAD_TOO_LARGE':
      return 'PAYLOAD_TOO_LARGE';
    case 'UNSUPPORTED_MEDIA_TYPE':
      return 'UNSUPPORTED_MEDIA_TYPE';
    case 'TOO_MANY_REQUESTS':
      return 'RATE_LIMITED';
    case 'CONFLICT':
      return 'CONFLICT';
    case 'SERVICE_UNAVAILABLE':
      return 'SERVICE_UNAVAILABLE';
    default:
      return 'INTERNAL';
  }
}
