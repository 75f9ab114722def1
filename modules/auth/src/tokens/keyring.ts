import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type { Config, MikroORM, VerificationKey } from '@plinto/kernel';
import { findTenantBySlug } from '@plinto/tenants';
import { ensureCurrentKey, openPrivateJwk, publishedKeys } from './signing-keys';

export interface Signer {
  kid: string;
  alg: 'EdDSA' | 'ES256';
  key: KeyObject;
}

/** A rotation elsewhere reaches this process within this long (the old key keeps verifying meanwhile). */
const SIGNER_TTL_MS = 60_000;
const VERIFY_TTL_MS = 60_000;
/** An unknown kid reloads the tenant's keys at most this often (a flood of bad kids cannot hammer the database). */
const UNKNOWN_KID_RELOAD_MS = 1_000;

interface TenantKeys {
  tenantId: string;
  keys: Map<string, VerificationKey>;
  loadedAt: number;
}

/**
 * This process's cache of signing keys: the private key each tenant signs with, and the public
 * keys each tenant's tokens verify with (looked up by the issuer's slug and the token's kid, so a
 * kid is only ever searched among its own tenant's keys).
 */
export class KeyRing {
  private readonly signers = new Map<string, { at: number; signer: Promise<Signer> }>();
  private readonly verifiers = new Map<string, Promise<TenantKeys | null>>();
  private readonly loadedAt = new Map<string, number>();

  constructor(
    private readonly orm: MikroORM,
    private readonly config: Config,
  ) {}

  async signer(tenantId: string): Promise<Signer> {
    const cached = this.signers.get(tenantId);
    if (cached && cached.at > Date.now() - SIGNER_TTL_MS) return cached.signer;
    const signer = (async (): Promise<Signer> => {
      const row = await ensureCurrentKey(this.orm.em.fork(), this.config, tenantId);
      return { kid: row.kid, alg: row.alg, key: createPrivateKey({ key: openPrivateJwk(this.config, row) as never, format: 'jwk' }) };
    })();
    this.signers.set(tenantId, { at: Date.now(), signer });
    signer.catch(() => this.signers.delete(tenantId));
    return signer;
  }

  /** Forgets a tenant's keys (after a rotation in this process). */
  invalidate(tenantId: string): void {
    this.signers.delete(tenantId);
    for (const [slug, entry] of this.verifiers) {
      void entry.then((keys) => keys?.tenantId === tenantId && this.verifiers.delete(slug)).catch(() => undefined);
    }
  }

  async findKey(slug: string, kid: string): Promise<VerificationKey | null> {
    const now = Date.now();
    let entry = this.verifiers.get(slug);
    const loadedAt = this.loadedAt.get(slug) ?? 0;
    if (!entry || loadedAt < now - VERIFY_TTL_MS) entry = this.load(slug);
    const keys = await entry;
    const key = keys?.keys.get(kid);
    if (key) return key;
    // A kid we have not seen may be a key rotated in by another process: reload, but rarely.
    if (loadedAt < now - UNKNOWN_KID_RELOAD_MS) return (await this.load(slug))?.keys.get(kid) ?? null;
    return null;
  }

  private load(slug: string): Promise<TenantKeys | null> {
    const loading = (async () => {
      const em = this.orm.em.fork();
      const tenant = await findTenantBySlug(em, slug);
      if (!tenant) return null;
      const rows = await publishedKeys(em, tenant.id);
      const keys = new Map<string, VerificationKey>();
      for (const row of rows) {
        keys.set(row.kid, { kid: row.kid, tenantId: tenant.id, alg: row.alg, key: createPublicKey({ key: row.publicJwk as never, format: 'jwk' }) });
      }
      return { tenantId: tenant.id, keys, loadedAt: Date.now() };
    })();
    this.verifiers.set(slug, loading);
    this.loadedAt.set(slug, Date.now());
    loading.catch(() => {
      this.verifiers.delete(slug);
      this.loadedAt.delete(slug);
    });
    return loading;
  }
}
