import { createHash } from 'node:crypto';
import { CommonErrors, sha256, type Config, type Redis } from '@plinto/kernel';
import { authConfig } from '../config';
import { AuthErrors } from '../errors';

/**
 * Brute-force defences, in Redis so every api process shares them, and atomic (one Lua script per
 * decision) so concurrency cannot slip past them:
 *
 * - Per account (tenant + normalised email, whether or not the account exists, so a lock reveals
 *   nothing): an attempt *reserves* a slot before its password is checked. The count therefore
 *   includes attempts still in flight: 200 parallel guesses get at most the threshold through to
 *   argon2. A success clears the count. From `delayAfter` confirmed failures on, each attempt
 *   must wait a doubling delay after the last failure (in-flight attempts do not delay a user's own
 *   parallel sign-ins); at the threshold the account is locked for lockMs.
 * - Per client IP: a fixed one-minute window over every unauthenticated auth request.
 *
 * If Redis cannot answer we fail closed (503): an unthrottled password oracle is worse than a
 * short outage of sign-in.
 */
// n: attempts reserved (failures + in flight) - the hard cap; f: confirmed failures - the delay;
// t: time of the last failure. A success deletes the key.
const RESERVE = `
if KEYS[2] then
  local c = redis.call('INCR', KEYS[2])
  if c == 1 then redis.call('PEXPIRE', KEYS[2], 61000) end
  if c > tonumber(ARGV[7]) then return {0, 'ip', tonumber(ARGV[8])} end
end
local state = redis.call('HMGET', KEYS[1], 'n', 'f', 't')
local n = tonumber(state[1] or '0')
local f = tonumber(state[2] or '0')
local t = tonumber(state[3] or '0')
local now = tonumber(ARGV[1])
if n >= tonumber(ARGV[2]) then
  return {0, 'locked', redis.call('PTTL', KEYS[1])}
end
local after = tonumber(ARGV[4])
if after > 0 and f >= after then
  local wait = math.min(tonumber(ARGV[5]) * 2 ^ (f - after), tonumber(ARGV[6]))
  if now < t + wait then
    return {0, 'delay', math.ceil(t + wait - now)}
  end
end
n = redis.call('HINCRBY', KEYS[1], 'n', 1)
if n == 1 and f == 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[9])
  return {1, 'fresh', n}
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {1, 'ok', n}
`;

const FAILED = `
redis.call('HINCRBY', KEYS[1], 'f', 1)
redis.call('HSET', KEYS[1], 't', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`;

// An attempt that never checked its password (the account lookup or the hasher failed) gives its
// slot back: an outage must not count towards a lock.
const RELEASE = `
local n = redis.call('HINCRBY', KEYS[1], 'n', -1)
if n <= 0 and not redis.call('HGET', KEYS[1], 'f') then redis.call('DEL', KEYS[1]) end
return n
`;

const WINDOW = `
local c = redis.call('INCR', KEYS[1])
if c == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return c
`;

/**
 * EVALSHA (the script's SHA-1, ~60 bytes on the wire) with EVAL as the fallback the first time a
 * Redis has not seen the script: sign-in runs these on every attempt.
 */
async function runScript(redis: Redis, script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown> {
  const sha = scriptSha(script);
  try {
    return await redis.evalsha(sha, numKeys, ...args);
  } catch (error) {
    if (!String((error as Error).message).startsWith('NOSCRIPT')) throw error;
    return redis.eval(script, numKeys, ...args);
  }
}

const shas = new Map<string, string>();
const scriptSha = (script: string) => shas.get(script) ?? (shas.set(script, createHash('sha1').update(script).digest('hex')), shas.get(script)!);

async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw CommonErrors.SERVICE_UNAVAILABLE({ cause: error });
  }
}

const accountKey = (config: Config, tenantId: string, email: string) =>
  // Hashed so raw email addresses do not sit in Redis key names.
  `${config.QUEUE_PREFIX}:auth:acct:${tenantId}:${sha256(email)}`;

export interface AccountSlot {
  /** The attempt number this reservation holds; the one equal to the threshold triggers the lock. */
  attempt: number;
  threshold: number;
  /**
   * The account had no attempt in flight and no failure: its key holds only this reservation, with
   * a short life (FRESH_RESERVATION_MS). A success then needs no clearing round trip — the key
   * expires on its own; until it does, the account has one attempt fewer before a lock.
   */
  fresh: boolean;
}

const FRESH_RESERVATION_MS = 60_000;

const ipWindow = (config: Config, ip: string | null, now: number) => {
  const window = Math.floor(now / 60_000);
  return { key: `${config.QUEUE_PREFIX}:auth:ip:${ip ?? 'unknown'}:${window}`, retryAfterMs: (window + 1) * 60_000 - now };
};

const ipLimited = (retryAfterMs: number) =>
  CommonErrors.RATE_LIMITED({ details: { retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)), scope: 'ip' } });

/**
 * Reserves one password check for the account or throws ACCOUNT_LOCKED / SIGN_IN_THROTTLED. With
 * `clientIp`, the IP's request budget is counted in the same script (one round trip per sign-in).
 */
export async function reserveAccountAttempt(redis: Redis, config: Config, tenantId: string, email: string, clientIp?: { ip: string | null }): Promise<AccountSlot> {
  const c = authConfig(config);
  const now = Date.now();
  const ip = clientIp ? ipWindow(config, clientIp.ip, now) : null;
  const keys = ip ? [accountKey(config, tenantId, email), ip.key] : [accountKey(config, tenantId, email)];
  const [ok, state, value] = (await guarded(() =>
    runScript(
      redis,
      RESERVE,
      keys.length,
      ...keys,
      now,
      c.AUTH_ACCOUNT_LOCK_THRESHOLD,
      c.AUTH_ACCOUNT_LOCK_SECONDS * 1000,
      c.AUTH_ACCOUNT_DELAY_AFTER,
      c.AUTH_ACCOUNT_DELAY_BASE_MS,
      c.AUTH_ACCOUNT_DELAY_MAX_MS,
      c.AUTH_IP_RATE_LIMIT_PER_MINUTE,
      ip?.retryAfterMs ?? 0,
      // Never longer than a lock: an unanswered reservation must not outlast one.
      Math.min(FRESH_RESERVATION_MS, c.AUTH_ACCOUNT_LOCK_SECONDS * 1000),
    ),
  )) as [number, string, number];
  if (ok === 1) return { attempt: value, threshold: c.AUTH_ACCOUNT_LOCK_THRESHOLD, fresh: state === 'fresh' };
  if (state === 'ip') throw ipLimited(value);
  const retryAfterSeconds = Math.max(1, Math.ceil(value / 1000));
  if (state === 'locked') throw AuthErrors.ACCOUNT_LOCKED({ details: { retryAfterSeconds } });
  throw AuthErrors.SIGN_IN_THROTTLED({ details: { retryAfterSeconds } });
}

/** Records a wrong password: the reservation stays counted, and the progressive delay grows. */
export async function recordAccountFailure(redis: Redis, config: Config, tenantId: string, email: string): Promise<void> {
  const lockMs = authConfig(config).AUTH_ACCOUNT_LOCK_SECONDS * 1000;
  await guarded(() => runScript(redis, FAILED, 1, accountKey(config, tenantId, email), Date.now(), lockMs));
}

/** Gives back a reserved slot whose password was never checked (best effort: it expires anyway). */
export async function releaseAccountAttempt(redis: Redis, config: Config, tenantId: string, email: string): Promise<void> {
  await runScript(redis, RELEASE, 1, accountKey(config, tenantId, email)).catch(() => undefined);
}

/** A correct password clears the account's failures (and any lock, e.g. after a password reset). */
export async function clearAccountAttempts(redis: Redis, config: Config, tenantId: string, email: string): Promise<void> {
  await guarded(() => redis.del(accountKey(config, tenantId, email)));
}

/** Counts one unauthenticated auth request of this client IP; throws RATE_LIMITED past the limit. */
export async function limitClientIp(redis: Redis, config: Config, ip: string | null): Promise<void> {
  const limit = authConfig(config).AUTH_IP_RATE_LIMIT_PER_MINUTE;
  const window = ipWindow(config, ip, Date.now());
  const count = (await guarded(() => runScript(redis, WINDOW, 1, window.key, 61_000))) as number;
  if (count > limit) throw ipLimited(window.retryAfterMs);
}
