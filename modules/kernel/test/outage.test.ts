import { describe, expect, it } from 'vitest';
import { AppError, CommonErrors, isDependencyOutage, retryAfterOf } from '../src/index';

/** Which failures are a dependency outage (503 + Retry-After) rather than a bug (500). */
describe('dependency outages', () => {
  const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });
  it('recognises unreachable servers, dying connections, exhausted pools and Redis refusing commands, through wrappers', () => {
    const outages = [
      withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      withCode('terminating connection due to administrator command', '57P01'),
      withCode('the database system is starting up', '57P03'),
      withCode('sorry, too many clients already', '53300'),
      withCode('connection failure', '08006'),
      Object.assign(new Error('Knex: Timeout acquiring a connection. The pool is probably full.'), { name: 'KnexTimeoutError' }),
      new Error('Connection terminated unexpectedly'),
      new Error("Stream isn't writeable and enableOfflineQueue options is false"),
      Object.assign(new Error('Reached the max retries per request limit (which is 1).'), { name: 'MaxRetriesPerRequestError' }),
      CommonErrors.SERVICE_UNAVAILABLE(),
    ];
    for (const error of outages) {
      expect(isDependencyOutage(error), error.message).toBe(true);
      // As tRPC and MikroORM wrap it.
      expect(isDependencyOutage(new Error('wrapped', { cause: { previous: error } })), error.message).toBe(true);
    }
  });

  it('leaves bugs and refusals alone', () => {
    for (const error of [new TypeError("Cannot read properties of undefined (reading 'id')"), withCode('duplicate key value', '23505'), withCode('syntax error', '42601'), CommonErrors.FORBIDDEN()]) {
      expect(isDependencyOutage(error), error.message).toBe(false);
    }
  });

  it('gives every 429 and 503 a Retry-After, and nothing else', () => {
    expect(retryAfterOf(CommonErrors.RATE_LIMITED({ details: { retryAfterSeconds: 42 } }))).toBe(42);
    expect(retryAfterOf(CommonErrors.RATE_LIMITED())).toBe(1);
    expect(retryAfterOf(withCode('connect ECONNREFUSED', 'ECONNREFUSED'))).toBeGreaterThan(0);
    expect(retryAfterOf(new AppError('X', { status: 503, message: 'busy' }))).toBeGreaterThan(0);
    expect(retryAfterOf(CommonErrors.FORBIDDEN())).toBeNull();
    expect(retryAfterOf(new Error('bug'))).toBeNull();
  });
});
