import { AppError, CommonErrors } from '../errors';

/**
 * Is this failure a dependency being unreachable (PostgreSQL or Redis down, restarting, refusing
 * connections, or a connection pool with nothing free in time) rather than a bug? Such failures
 * are answered 503 SERVICE_UNAVAILABLE with Retry-After, never 500: clients and load balancers can
 * act on a 503 (retry later, route elsewhere), while a 500 says "this request is wrong forever".
 * Walks the cause chain, since drivers, MikroORM and tRPC each wrap the error they caught.
 */
export function isDependencyOutage(error: unknown): boolean {
  const seen = new Set<unknown>();
  for (let current = error; current && typeof current === 'object' && !seen.has(current); ) {
    seen.add(current);
    if (matches(current as Failure)) return true;
    const { cause, previous } = current as { cause?: unknown; previous?: unknown };
    current = cause ?? previous;
  }
  return false;
}

interface Failure {
  name?: string;
  message?: string;
  code?: unknown;
  appCode?: string;
}

/** Socket-level failures: the peer is not there (or went away mid-request). */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);

/**
 * PostgreSQL SQLSTATEs of an unavailable server: class 08 (connection exception), 53 (insufficient
 * resources: too many connections, out of memory, disk full), 57P01-57P05 (shutting down, crash
 * recovery, cannot connect now, idle session timeout).
 */
const isUnavailableSqlState = (code: string) => /^(08|53)[0-9A-Z]{3}$/.test(code) || /^57P0[1-5]$/.test(code);

const MESSAGES = [
  // knex's pool: no connection became free in time (pool exhausted, or PostgreSQL unreachable).
  /Timeout acquiring a connection/i,
  // pg: the server closed the connection (restart, crash) while it was in use.
  /Connection terminated/i,
  /Client has encountered a connection error/i,
  /connection is (closed|not open)/i,
  // knex: a query on a transaction the lost connection already rolled back (its next statement
  // after the connection died). Outside an outage it would be a bug; the outage test meets it.
  /Transaction query already complete/i,
  // ioredis with `enableOfflineQueue: false` (the api's producer connection) while Redis is down.
  /Stream isn't writeable/i,
  /Reached the max retries per request limit/i,
  /Command timed out/i,
];

function matches(failure: Failure): boolean {
  if (failure instanceof AppError) return failure.appCode === 'SERVICE_UNAVAILABLE';
  if (failure.name === 'KnexTimeoutError' || failure.name === 'ConnectionException' || failure.name === 'MaxRetriesPerRequestError') return true;
  if (typeof failure.code === 'string' && (NETWORK_CODES.has(failure.code) || isUnavailableSqlState(failure.code))) return true;
  return typeof failure.message === 'string' && MESSAGES.some((re) => re.test(failure.message!));
}

/** Seconds a client should wait before retrying after a dependency outage. */
export const OUTAGE_RETRY_AFTER_SECONDS = 5;

/** The AppError a dependency outage is answered with. */
export const serviceUnavailable = (cause?: unknown): AppError =>
  CommonErrors.SERVICE_UNAVAILABLE({ details: { retryAfterSeconds: OUTAGE_RETRY_AFTER_SECONDS }, cause });

/**
 * The Retry-After (seconds) an error's answer carries: every 429 and 503 has one — the error's own
 * `retryAfterSeconds` when it knows (throttles), else a default — and nothing else does.
 */
export function retryAfterOf(error: unknown): number | null {
  if (error instanceof AppError) {
    if (error.status !== 429 && error.status !== 503) return null;
    const given = error.details?.retryAfterSeconds;
    return typeof given === 'number' && given > 0 ? Math.ceil(given) : error.status === 503 ? OUTAGE_RETRY_AFTER_SECONDS : 1;
  }
  return isDependencyOutage(error) ? OUTAGE_RETRY_AFTER_SECONDS : null;
}
