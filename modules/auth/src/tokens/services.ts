import {
  AccessTokenVerifier,
  RevocationList,
  fastQuery,
  isUuid,
  serviceKey,
  uuidv7,
  type ServiceRegistry,
  type AccessTokenClaims,
  type Config,
  type EntityManager,
  type Logger,
  type MikroORM,
  type Redis,
  type TenantRef,
} from '@plinto/kernel';
import { authConfig } from '../config';
import { tenantLifetimes } from '../services/tenant-settings';
import { KeyRing } from './keyring';
import { signCompactJws } from './jws';
import { insertRevocations, revocationStore, type RevocationEntry } from './revocations';

/** What an access token says about its holder, beyond the registered claims. */
export interface AccessTokenSubject {
  sub: string;
  sid?: string;
  amr?: string[];
  aal?: number;
  clientId?: string;
  scope?: string;
  roles?: string[];
  organizationId?: string | null;
  organizationRole?: string | null;
  /** Another audience than Plinto's own API (an application's API, RFC 8707; or userinfo only). */
  audience?: string | string[];
  /** A shorter lifetime (an application's own); never longer than the server's, which revocations are kept for. */
  ttlSeconds?: number | null;
}

export interface IssuedAccessToken {
  token: string;
  jti: string;
  expiresIn: number;
  expiresAt: Date;
}

/**
 * One per process (api, workers): the key ring, the revocation list and the verifier, over the
 * process's ORM and `producer` Redis. Found from any EntityManager of that ORM (`tokenServicesOf`).
 */
/** Most session owners one process remembers (about 100 bytes each). */
const SESSION_OWNERS_MAX = 200_000;

export class TokenServices {
  readonly keyring: KeyRing;
  /** Who each session belongs to: a session never changes hands, so an owner once read is kept (bounded). */
  private readonly sessionOwners = new Map<string, { userId: string; tenantId: string }>();
  readonly revocations: RevocationList;
  readonly verifier: AccessTokenVerifier;

  constructor(
    readonly orm: MikroORM,
    readonly config: Config,
    redis: Redis,
    private readonly logger: Logger,
  ) {
    const settings = authConfig(config);
    this.keyring = new KeyRing(orm, config);
    this.revocations = new RevocationList(redis, revocationStore(() => orm.em.fork()), {
      prefix: config.QUEUE_PREFIX,
      localCacheMs: settings.AUTH_REVOCATION_CACHE_MS,
      redisTimeoutMs: 200,
      onError: (error, where) => logger.warn({ err: error, where }, 'revocation list: Redis unavailable, using PostgreSQL'),
    });
    this.verifier = new AccessTokenVerifier({
      // Read per call: a test api learns its public URL only once it listens on an ephemeral port.
      get issuerPrefix() {
        return `${config.PUBLIC_URL}/t/`;
      },
      get audience() {
        return audienceOf(config);
      },
      clockToleranceSeconds: settings.AUTH_TOKEN_CLOCK_TOLERANCE_SECONDS,
      findKey: (slug, kid) => this.keyring.findKey(slug, kid),
      isRevoked: (keys) => this.revocations.isRevoked(keys),
    });
  }

  /**
   * The user and tenant a session belongs to, or null when there is no such session. A revoked or
   * deleted session stays known here; its tokens are refused by the revocation list instead.
   */
  async sessionOwner(em: EntityManager, sessionId: string): Promise<{ userId: string; tenantId: string } | null> {
    const known = this.sessionOwners.get(sessionId);
    if (known) return known;
    if (!isUuid(sessionId)) return null;
    const [row] = await fastQuery<{ user_id: string; tenant_id: string }>(em, 'select user_id, tenant_id from sessions where id = ?', [sessionId], 'plinto_session_owner');
    if (!row) return null;
    const owner = { userId: row.user_id, tenantId: row.tenant_id };
    // Maps iterate in insertion order: the oldest entry goes first.
    if (this.sessionOwners.size >= SESSION_OWNERS_MAX) this.sessionOwners.delete(this.sessionOwners.keys().next().value!);
    this.sessionOwners.set(sessionId, owner);
    return owner;
  }

  issuer(tenantSlug: string): string {
    return `${this.config.PUBLIC_URL}/t/${tenantSlug}`;
  }

  get audience(): string {
    return audienceOf(this.config);
  }

  get accessTokenTtlSeconds(): number {
    return authConfig(this.config).AUTH_ACCESS_TOKEN_TTL_SECONDS;
  }

  /** How long a revocation must be remembered: until every access token it covers has expired. */
  revocationExpiry(from = Date.now()): Date {
    return new Date(from + (this.accessTokenTtlSeconds + authConfig(this.config).AUTH_TOKEN_CLOCK_TOLERANCE_SECONDS + 60) * 1000);
  }

  /** The tenant's access-token lifetime: its setting, within the installation's. */
  accessTokenTtlOf(tenant: Partial<Pick<TenantRef, 'settings'>>): number {
    return tenantLifetimes(this.config, tenant).accessTokenTtlSeconds;
  }

  async issueAccessToken(tenant: Pick<TenantRef, 'id' | 'slug'> & Partial<Pick<TenantRef, 'settings'>>, subject: AccessTokenSubject): Promise<IssuedAccessToken> {
    const signer = await this.keyring.signer(tenant.id);
    const now = Math.floor(Date.now() / 1000);
    const tenantTtl = this.accessTokenTtlOf(tenant);
    const expiresIn = Math.min(subject.ttlSeconds ?? tenantTtl, tenantTtl);
    const jti = uuidv7();
    const claims: Partial<AccessTokenClaims> = {
      tid: tenant.id,
      ...(subject.sid ? { sid: subject.sid } : {}),
      ...(subject.amr ? { amr: subject.amr } : {}),
      ...(subject.aal ? { aal: subject.aal } : {}),
      ...(subject.clientId ? { client_id: subject.clientId } : {}),
      ...(subject.scope ? { scope: subject.scope } : {}),
      ...(subject.roles ? { roles: subject.roles } : {}),
      ...(subject.organizationId ? { org_id: subject.organizationId } : {}),
      ...(subject.organizationRole ? { org_role: subject.organizationRole } : {}),
    };
    const token = signCompactJws(
      { alg: signer.alg, kid: signer.kid, typ: 'at+jwt' },
      { iss: this.issuer(tenant.slug), sub: subject.sub, aud: subject.audience ?? this.audience, iat: now, nbf: now, exp: now + expiresIn, jti, ...claims },
      signer.key,
    );
    return { token, jti, expiresIn, expiresAt: new Date((now + expiresIn) * 1000) };
  }

  /**
   * Tells Redis (and this process's cache) about committed revocations. A failed write is retried
   * in the background: meanwhile other processes may still accept the tokens only if Redis answers
   * them at all, which a Redis that cannot be written to rarely does (they fall back to PostgreSQL).
   */
  publishRevocations(entries: RevocationEntry[], attempt = 0): Promise<void> {
    return this.revocations.publish(entries).catch((error) => {
      this.logger.warn({ err: error, attempt }, 'could not write revocations to Redis; retrying');
      if (attempt < 30) setTimeout(() => void this.publishRevocations(entries, attempt + 1), Math.min(200 * 2 ** attempt, 5000)).unref();
    });
  }
}

function audienceOf(config: Config): string {
  return authConfig(config).AUTH_ACCESS_TOKEN_AUDIENCE ?? config.PUBLIC_URL;
}

/** The token services of this process, in its service registry. */
export const TOKEN_SERVICES = serviceKey<TokenServices>('auth.tokens');

export const tokenServicesOf = (holder: { services: ServiceRegistry }): TokenServices => holder.services.get(TOKEN_SERVICES);

export function startTokenServices(deps: { orm: MikroORM; config: Config; redis: Redis; logger: Logger }): TokenServices {
  return new TokenServices(deps.orm, deps.config, deps.redis, deps.logger);
}

/**
 * Runs `work` in a transaction and, once it committed, publishes the revocations it collected.
 * `revoke` writes a revocation in the transaction and queues it for publication, so none is
 * committed without being published. An entry without `expiresAt` lasts until every access token
 * it covers has expired.
 */
export type Revoke = (entries: (Omit<RevocationEntry, 'expiresAt'> & { expiresAt?: Date })[]) => Promise<void>;

export async function withRevocations<T>(deps: { em: EntityManager; services: ServiceRegistry }, work: (tx: EntityManager, revoke: Revoke) => Promise<T>): Promise<T> {
  const tokens = tokenServicesOf(deps);
  const collected: RevocationEntry[] = [];
  const result = await deps.em.transactional((tx) =>
    work(tx, async (entries) => {
      const complete = entries.map((e) => ({ ...e, expiresAt: e.expiresAt ?? tokens.revocationExpiry() }));
      await insertRevocations(tx, complete);
      collected.push(...complete);
    }),
  );
  if (collected.length > 0) await tokens.publishRevocations(collected);
  return result;
}
