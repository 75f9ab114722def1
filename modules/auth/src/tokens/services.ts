import {
  AccessTokenVerifier,
  RevocationList,
  uuidv7,
  type AccessTokenClaims,
  type Config,
  type EntityManager,
  type Logger,
  type MikroORM,
  type Redis,
  type TenantRef,
} from '@plinto/kernel';
import { authConfig } from '../config';
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
export class TokenServices {
  readonly keyring: KeyRing;
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

  async issueAccessToken(tenant: Pick<TenantRef, 'id' | 'slug'>, subject: AccessTokenSubject): Promise<IssuedAccessToken> {
    const signer = await this.keyring.signer(tenant.id);
    const now = Math.floor(Date.now() / 1000);
    const expiresIn = this.accessTokenTtlSeconds;
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
      { iss: this.issuer(tenant.slug), sub: subject.sub, aud: this.audience, iat: now, nbf: now, exp: now + expiresIn, jti, ...claims },
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

const registry = new WeakMap<object, TokenServices>();

export function startTokenServices(deps: { orm: MikroORM; config: Config; redis: Redis; logger: Logger }): TokenServices {
  const services = new TokenServices(deps.orm, deps.config, deps.redis, deps.logger);
  registry.set(deps.orm.config, services);
  return services;
}

export function stopTokenServices(orm: MikroORM): void {
  registry.delete(orm.config);
}

export function tokenServicesOf(em: EntityManager): TokenServices {
  const services = registry.get(em.config);
  if (!services) throw new Error('Token services are not started in this process (startTokenServices)');
  return services;
}

/**
 * Runs `work` in a transaction and, once it committed, publishes the revocations it collected.
 * `revoke` writes a revocation in the transaction and queues it for publication, so none is
 * committed without being published.
 */
export type Revoke = (entries: RevocationEntry[]) => Promise<void>;

export async function withRevocations<T>(em: EntityManager, work: (tx: EntityManager, revoke: Revoke) => Promise<T>): Promise<T> {
  const collected: RevocationEntry[] = [];
  const result = await em.transactional((tx) =>
    work(tx, async (entries) => {
      await insertRevocations(tx, entries);
      collected.push(...entries);
    }),
  );
  if (collected.length > 0) await tokenServicesOf(em).publishRevocations(collected);
  return result;
}
