import { randomBytes } from 'node:crypto';
import { decodeCursor, fastQuery, isUuid, randomToken, recordEvent, requirePrincipal, sha256, toPage, uuidv7, type EntityManager, type InferEntity, type ServiceContext } from '@plinto/kernel';
import { withRevocations } from '../tokens/services';
import { retireApplicationVersion } from './application-cache';
import { Application } from './entities';
import { ensureCurrentIdTokenKey } from './id-token-keys';
import { OidcErrors } from './errors';
import { OidcEvents } from './events';
import type { ApplicationDto, CreateApplicationInput, UpdateApplicationInput } from './schemas';

export type ApplicationRow = InferEntity<typeof Application>;

/** `app_<16 hex>`: told apart from machine clients (`cli_`) without a query. */
export const APPLICATION_ID_PREFIX = 'app_';
export const APPLICATION_SECRET_PREFIX = 'pas_';
export const isApplicationClientId = (value: string) => /^app_[0-9a-f]{16}$/.test(value);

const iso = (date: Date | null | undefined) => (date ? date.toISOString() : null);

export function toApplicationDto(row: ApplicationRow): ApplicationDto {
  return {
    id: row.id,
    clientId: row.clientId,
    name: row.name,
    type: row.type,
    confidential: row.secretHash !== null,
    redirectUris: row.redirectUris,
    postLogoutRedirectUris: row.postLogoutRedirectUris,
    allowedOrigins: row.allowedOrigins,
    grantTypes: row.grantTypes,
    resources: row.resources,
    firstParty: row.firstParty,
    idTokenSignedResponseAlg: row.idTokenAlg,
    logoUri: row.logoUri ?? null,
    accessTokenTtlSeconds: row.accessTokenTtlSeconds ?? null,
    sessionTtlHours: row.sessionTtlHours ?? null,
    status: row.revokedAt ? 'revoked' : 'active',
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    revokedAt: iso(row.revokedAt),
  };
}

const newSecret = () => {
  const secret = `${APPLICATION_SECRET_PREFIX}${randomToken(32)}`;
  return { secret, hash: sha256(secret) };
};

/** Registers an application; a web application's secret is in this answer only. Needs applications:write. */
export async function createApplication(sc: ServiceContext, input: CreateApplicationInput): Promise<ApplicationDto & { clientSecret: string | null }> {
  await sc.authz.require('applications:write');
  const caller = requirePrincipal(sc);
  const secret = input.type === 'web' ? newSecret() : null;
  const now = new Date();
  // Its ID-token key is in the JWKS before its first ID token (relying parties may fetch the JWKS once).
  await ensureCurrentIdTokenKey(sc.em, sc.config, sc.tenant.id, input.idTokenSignedResponseAlg);
  return sc.em.transactional(async (tx) => {
    const row = tx.create(Application, {
      id: uuidv7(now.getTime()),
      tenantId: sc.tenant.id,
      clientId: `${APPLICATION_ID_PREFIX}${randomBytes(8).toString('hex')}`,
      secretHash: secret?.hash ?? null,
      name: input.name,
      type: input.type,
      redirectUris: input.redirectUris,
      postLogoutRedirectUris: input.postLogoutRedirectUris,
      allowedOrigins: input.allowedOrigins,
      grantTypes: input.grantTypes,
      resources: input.resources,
      firstParty: input.firstParty,
      idTokenAlg: input.idTokenSignedResponseAlg,
      logoUri: input.logoUri ?? null,
      accessTokenTtlSeconds: input.accessTokenTtlSeconds ?? null,
      sessionTtlHours: input.sessionTtlHours ?? null,
      createdByType: caller.kind,
      createdById: caller.id,
      createdAt: now,
      updatedAt: now,
      revokedAt: null,
    });
    recordEvent(tx, sc.actor, OidcEvents.of('application.created', {
      tenantId: sc.tenant.id,
      target: { type: 'application', id: row.id },
      data: { name: row.name, clientId: row.clientId, type: row.type, redirectUris: row.redirectUris, firstParty: row.firstParty },
    }));
    await tx.flush();
    return { ...toApplicationDto(row), clientSecret: secret?.secret ?? null };
  });
}

/** Needs applications:read. */
export async function listApplications(sc: ServiceContext, query: { limit: number; cursor?: string }) {
  await sc.authz.require('applications:read');
  const after = decodeCursor(query.cursor);
  const rows = await sc.em.find(Application, { tenantId: sc.tenant.id, ...(after ? { id: { $lt: after } } : {}) }, { orderBy: { id: 'desc' }, limit: query.limit + 1 });
  return toPage(rows, query.limit, toApplicationDto);
}

async function findOwn(em: EntityManager, tenantId: string, id: string): Promise<ApplicationRow> {
  const row = isUuid(id) ? await em.findOne(Application, { id, tenantId }) : null;
  if (!row) throw OidcErrors.APPLICATION_NOT_FOUND({ fields: [{ path: 'id', message: 'No such application in this tenant' }] });
  return row;
}

/** Needs applications:read. Another tenant's application is the same 404 as none. */
export async function getApplication(sc: ServiceContext, id: string): Promise<ApplicationDto> {
  await sc.authz.require('applications:read');
  return toApplicationDto(await findOwn(sc.em, sc.tenant.id, id));
}

/** Changes settings (only those given). Needs applications:write. */
export async function updateApplication(sc: ServiceContext, input: UpdateApplicationInput): Promise<ApplicationDto> {
  await sc.authz.require('applications:write');
  if (input.idTokenSignedResponseAlg) await ensureCurrentIdTokenKey(sc.em, sc.config, sc.tenant.id, input.idTokenSignedResponseAlg);
  return withRevocations(sc, async (tx, revoke) => {
    const row = await findOwn(tx, sc.tenant.id, input.id);
    if (row.revokedAt) throw OidcErrors.APPLICATION_REVOKED();
    await retireApplicationVersion(revoke, row);
    const { id: _id, ...patch } = input;
    const changed = Object.entries(patch).filter(([, value]) => value !== undefined).map(([key]) => key);
    // Settings are the row's properties, but for the ID-token algorithm, which the API names as OIDC registration does.
    const propertyOf = (setting: string) => (setting === 'idTokenSignedResponseAlg' ? 'idTokenAlg' : setting);
    tx.assign(row, Object.fromEntries(changed.map((key) => [propertyOf(key), patch[key as keyof typeof patch]])));
    row.updatedAt = new Date();
    recordEvent(tx, sc.actor, OidcEvents.of('application.updated', { tenantId: sc.tenant.id, target: { type: 'application', id: row.id }, data: { name: row.name, clientId: row.clientId, changed } }));
    await tx.flush();
    return toApplicationDto(row);
  });
}

/** Replaces a web application's secret; the new one is in this answer only. Needs applications:write. */
export async function rotateApplicationSecret(sc: ServiceContext, id: string): Promise<ApplicationDto & { clientSecret: string | null }> {
  await sc.authz.require('applications:write');
  return withRevocations(sc, async (tx, revoke) => {
    const row = await findOwn(tx, sc.tenant.id, id);
    if (row.revokedAt) throw OidcErrors.APPLICATION_REVOKED();
    if (row.secretHash === null) throw OidcErrors.APPLICATION_NOT_CONFIDENTIAL({ fields: [{ path: 'id', message: 'A public application has no secret' }] });
    await retireApplicationVersion(revoke, row);
    const secret = newSecret();
    row.secretHash = secret.hash;
    row.updatedAt = new Date();
    recordEvent(tx, sc.actor, OidcEvents.of('application.secret_rotated', { tenantId: sc.tenant.id, target: { type: 'application', id: row.id }, data: { name: row.name, clientId: row.clientId } }));
    await tx.flush();
    return { ...toApplicationDto(row), clientSecret: secret.secret };
  });
}

/**
 * Revokes an application (idempotent): its client id is refused from now on, and every access token
 * issued to it stops verifying (revocation key `client:<client_id>`); its sessions end.
 */
export async function revokeApplication(sc: ServiceContext, id: string): Promise<ApplicationDto> {
  await sc.authz.require('applications:write');
  return withRevocations(sc, async (tx, revoke) => {
    const row = await findOwn(tx, sc.tenant.id, id);
    if (!row.revokedAt) {
      await retireApplicationVersion(revoke, row);
      row.revokedAt = new Date();
      row.updatedAt = row.revokedAt;
      await revoke([{ key: `client:${row.clientId}`, tenantId: row.tenantId }]);
      await tx.execute(`update sessions set revoked_at = now(), revoked_reason = 'application_revoked' where tenant_id = ? and client_id = ? and revoked_at is null`, [row.tenantId, row.clientId]);
      await tx.execute(`update refresh_tokens set status = 'revoked' where status = 'active' and session_id in (select id from sessions where tenant_id = ? and client_id = ?)`, [row.tenantId, row.clientId]);
      recordEvent(tx, sc.actor, OidcEvents.of('application.revoked', { tenantId: row.tenantId, target: { type: 'application', id: row.id }, data: { name: row.name, clientId: row.clientId } }));
      await tx.flush();
    }
    return toApplicationDto(row);
  });
}

interface ApplicationColumns {
  id: string;
  tenant_id: string;
  client_id: string;
  secret_hash: string | null;
  name: string;
  type: ApplicationRow['type'];
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  allowed_origins: string[];
  grant_types: string[];
  resources: string[];
  first_party: boolean;
  id_token_alg: ApplicationRow['idTokenAlg'];
  logo_uri: string | null;
  access_token_ttl_seconds: number | null;
  session_ttl_hours: number | null;
  updated_at: string | Date;
}

/**
 * An active application of the tenant by its client id (protocol endpoints: every authorize and
 * token request). One prepared statement, no unit of work: read-only, on the hot path.
 */
export async function activeApplication(em: EntityManager, tenantId: string, clientId: string): Promise<ApplicationRow | null> {
  if (!isApplicationClientId(clientId)) return null;
  const [row] = await fastQuery<ApplicationColumns>(
    em,
    `select id, tenant_id, client_id, secret_hash, name, type, redirect_uris, post_logout_redirect_uris, allowed_origins, grant_types, resources, first_party, id_token_alg, logo_uri, access_token_ttl_seconds, session_ttl_hours, updated_at
       from applications where client_id = ? and tenant_id = ? and revoked_at is null`,
    [clientId, tenantId],
    'plinto_active_application',
  );
  if (!row) return null;
  return {
    id: row.id,
    tenantId: row.tenant_id,
    clientId: row.client_id,
    secretHash: row.secret_hash,
    name: row.name,
    type: row.type,
    redirectUris: row.redirect_uris,
    postLogoutRedirectUris: row.post_logout_redirect_uris,
    allowedOrigins: row.allowed_origins,
    grantTypes: row.grant_types,
    resources: row.resources,
    firstParty: row.first_party,
    idTokenAlg: row.id_token_alg,
    logoUri: row.logo_uri,
    accessTokenTtlSeconds: row.access_token_ttl_seconds,
    sessionTtlHours: row.session_ttl_hours,
    updatedAt: new Date(row.updated_at),
  } as ApplicationRow;
}

/**
 * Whether an active application allows this browser origin (CORS): of `tenantId`, or — for a
 * preflight that names no tenant — of any tenant (the actual call is then checked per tenant).
 */
export async function applicationAllowsOrigin(em: EntityManager, origin: string, tenantId: string | null): Promise<boolean> {
  const rows = await fastQuery<{ one: number }>(
    em,
    `select 1 as one from applications where revoked_at is null and allowed_origins @> ?::jsonb and (?::uuid is null or tenant_id = ?::uuid) limit 1`,
    [JSON.stringify([origin]), tenantId, tenantId],
    'plinto_application_origin',
  );
  return rows.length > 0;
}
