import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { hostListSetting, readConfigSection, type Config } from '@plinto/kernel';

/** Settings of the auth module, read from the environment together with the core ones. */
export const authConfigSchema = z.object({
  /** Failed password checks per account (tenant + email) before a temporary lock. */
  AUTH_ACCOUNT_LOCK_THRESHOLD: z.coerce.number().int().min(1).max(1000).default(10),
  /** How long a lock lasts, counted from the last failed attempt. */
  AUTH_ACCOUNT_LOCK_SECONDS: z.coerce.number().int().positive().default(900),
  /** Failures after which each further attempt must wait (doubling, capped); 0 disables the delay. */
  AUTH_ACCOUNT_DELAY_AFTER: z.coerce.number().int().min(0).default(3),
  AUTH_ACCOUNT_DELAY_BASE_MS: z.coerce.number().int().min(0).default(1000),
  AUTH_ACCOUNT_DELAY_MAX_MS: z.coerce.number().int().min(0).default(30_000),
  /** Unauthenticated auth requests (sign-in, sign-up, resets, links, MFA) per client IP per minute. */
  AUTH_IP_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(60),
  /** Password hashes computed at once by this process; the rest wait (bounded) for a slot. */
  AUTH_HASH_CONCURRENCY: z.coerce
    .number()
    .int()
    .positive()
    // Two per libuv pool thread (the start script gives the api one per core, see
    // scripts/lib/threadpool.mjs): the second waits in libuv's queue, so a thread that finishes a
    // hash starts the next one at once instead of idling until the event loop hands it over
    // (measured: +10% sign-ins/s). More at once only time-slice the cores and evict caches.
    .default(2 * (Number(process.env.UV_THREADPOOL_SIZE) || Math.max(2, Math.min(availableParallelism(), 16)))),
  /** Hash requests that may wait for a slot; beyond it the request is refused with 503. */
  AUTH_HASH_QUEUE_MAX: z.coerce.number().int().positive().default(512),
  AUTH_SESSION_TTL_HOURS: z.coerce.number().int().positive().default(24 * 14),
  AUTH_MAGIC_LINK_TTL_MINUTES: z.coerce.number().int().positive().max(24 * 60).default(10),
  AUTH_PASSWORD_RESET_TTL_MINUTES: z.coerce.number().int().positive().default(60),
  AUTH_EMAIL_VERIFICATION_TTL_HOURS: z.coerce.number().int().positive().default(48),
  AUTH_MFA_CHALLENGE_TTL_MINUTES: z.coerce.number().int().positive().default(5),
  /** How long a passkey ceremony's challenge may be answered (single use, bound to the ceremony). */
  /** Identity-provider hosts allowed although not public (development and tests: 127.0.0.1). */
  AUTH_SOCIAL_ALLOWED_HOSTS: hostListSetting,
  /** How long a sign-in through an identity provider may take, from the redirect to the callback. */
  AUTH_SOCIAL_FLOW_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(600),
  AUTH_PASSKEY_CHALLENGE_TTL_SECONDS: z.coerce.number().int().min(30).max(3600).default(300),
  /** Wrong codes that invalidate an MFA challenge. */
  AUTH_MFA_MAX_ATTEMPTS: z.coerce.number().int().positive().default(5),
  /** Lifetime of access tokens (JWTs), in seconds. */
  AUTH_ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(86_400).default(600),
  /** `aud` of access tokens; defaults to PUBLIC_URL (Plinto's own API is the resource server). */
  AUTH_ACCESS_TOKEN_AUDIENCE: z.string().min(1).optional(),
  /** Algorithm of newly created signing keys. */
  AUTH_SIGNING_ALG: z.enum(['EdDSA', 'ES256']).default('EdDSA'),
  /** A tenant's signing key is rotated by the maintenance worker once it is this old. */
  AUTH_SIGNING_KEY_ROTATION_DAYS: z.coerce.number().int().positive().default(30),
  /** Concurrent refreshes with one token within this window get the same successor (not reuse). */
  AUTH_REFRESH_GRACE_SECONDS: z.coerce.number().int().min(0).max(300).default(5),
  /** Clock skew tolerated when checking exp/nbf/iat of access tokens. */
  AUTH_TOKEN_CLOCK_TOLERANCE_SECONDS: z.coerce.number().int().min(0).max(300).default(5),
  /** How long one process trusts a "not revoked" answer (ms); revocation is effective within this. */
  AUTH_REVOCATION_CACHE_MS: z.coerce.number().int().min(0).max(1000).default(250),
});

export type AuthConfig = z.infer<typeof authConfigSchema>;


export const authConfig = (config: Config): AuthConfig => readConfigSection(config, authConfigSchema);
