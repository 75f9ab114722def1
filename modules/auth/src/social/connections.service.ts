import type { InferEntity } from '@mikro-orm/core';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { CommonErrors, DestinationRefused, checkUrlShape, isUuid, recordEvent, secretBoxFor, uuidv7, type Config, type EntityManager, type ServiceContext, type TenantRef } from '@plinto/kernel';
import { authConfig } from '../config';
import { SocialConnection } from './entities';
import { SocialErrors } from './errors';
import { SocialEvents } from './events';
import { PRESETS, type ConnectionConfig, type ProviderKind } from './providers';
import type { ConnectionDto, CreateConnectionInput } from './schemas';

export type ConnectionRow = InferEntity<typeof SocialConnection>;

const PURPOSE = 'social-client-secrets';
const seal = (config: Config, id: string, secret: string) => secretBoxFor(config, PURPOSE).seal(secret, id);

/** What the flow needs of a connection: its provider settings with the secret opened. */
export const connectionConfig = (config: Config, row: ConnectionRow): ConnectionConfig => ({
  provider: row.provider as ProviderKind,
  clientId: row.clientId,
  clientSecret: secretBoxFor(config, PURPOSE).open(row.clientSecret, row.id),
  issuer: row.issuer ?? null,
  endpoints: row.endpoints,
  scopes: row.scopes,
});

export const redirectUriOf = (config: Config, tenant: Pick<TenantRef, 'slug'>, slug: string) => `${config.PUBLIC_URL}/t/${tenant.slug}/social/${slug}/callback`;

const toDto = (config: Config, tenant: TenantRef, row: ConnectionRow): ConnectionDto => ({
  id: row.id,
  slug: row.slug,
  provider: row.provider as ProviderKind,
  name: row.name,
  clientId: row.clientId,
  issuer: row.issuer ?? null,
  endpoints: row.endpoints,
  scopes: row.scopes,
  allowSignUp: row.allowSignUp,
  enabled: row.enabled,
  redirectUri: redirectUriOf(config, tenant, row.slug),
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

/** Provider URLs must be https (http only for an allowlisted development host) and not name this machine or a private network. */
function checkUrls(config: Config, input: { issuer?: string | null; endpoints?: Record<string, string | undefined> }) {
  const allowed = authConfig(config).AUTH_SOCIAL_ALLOWED_HOSTS;
  const entries: [string, string][] = [
    ...(input.issuer ? [['issuer', input.issuer] as [string, string]] : []),
    ...Object.entries(input.endpoints ?? {}).flatMap(([k, v]) => (v ? [[`endpoints.${k}`, v] as [string, string]] : [])),
  ];
  for (const [path, value] of entries) {
    try {
      const url = checkUrlShape(value, allowed);
      if (url.protocol !== 'https:' && !allowed.includes(url.hostname.replace(/^\[|\]$/g, ''))) throw new DestinationRefused('Must be https', 'scheme');
    } catch (error) {
      if (!(error instanceof DestinationRefused)) throw error;
      throw CommonErrors.VALIDATION_FAILED({ fields: [{ path, message: error.message }] });
    }
  }
}

async function loadConnection(em: EntityManager, tenantId: string, id: string): Promise<ConnectionRow> {
  const row = isUuid(id) ? await em.findOne(SocialConnection, { id, tenantId }) : null;
  if (!row) throw SocialErrors.CONNECTION_NOT_FOUND({ fields: [{ path: 'id', message: 'No such connection' }] });
  return row;
}

/** Adds a sign-in connection (connections:write). Takes effect at once: no redeploy. */
export async function createConnection(sc: ServiceContext, input: CreateConnectionInput): Promise<ConnectionDto> {
  await sc.authz.require('connections:write');
  if (input.provider === 'oidc' && !input.issuer) throw CommonErrors.VALIDATION_FAILED({ fields: [{ path: 'issuer', message: 'Required for an OpenID Connect connection' }] });
  if (input.endpoints && input.provider !== 'github') throw CommonErrors.VALIDATION_FAILED({ fields: [{ path: 'endpoints', message: 'Only GitHub connections take endpoints; give an issuer instead' }] });
  checkUrls(sc.config, input);
  const now = new Date();
  const id = uuidv7(now.getTime());
  const preset = PRESETS[input.provider];
  try {
    return await sc.em.transactional(async (tx) => {
      const row = tx.create(SocialConnection, {
        id,
        tenantId: sc.tenant.id,
        slug: input.slug,
        provider: input.provider,
        name: input.name ?? preset.name,
        clientId: input.clientId,
        clientSecret: seal(sc.config, id, input.clientSecret),
        issuer: input.issuer ?? null,
        endpoints: Object.fromEntries(Object.entries(input.endpoints ?? {}).filter(([, v]) => v)) as Record<string, string>,
        scopes: input.scopes ?? preset.scopes,
        allowSignUp: input.allowSignUp ?? true,
        enabled: input.enabled ?? true,
        createdAt: now,
        updatedAt: now,
      });
      recordEvent(tx, sc.actor, SocialEvents.of('connection.created', { tenantId: sc.tenant.id, target: { type: 'connection', id }, data: { connectionId: id, slug: row.slug, provider: row.provider } }));
      await tx.flush();
      return toDto(sc.config, sc.tenant, row);
    });
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) throw SocialErrors.CONNECTION_SLUG_TAKEN({ fields: [{ path: 'slug', message: 'Taken' }] });
    throw error;
  }
}

export async function listConnections(sc: ServiceContext): Promise<{ items: ConnectionDto[] }> {
  await sc.authz.require('connections:read');
  const rows = await sc.em.find(SocialConnection, { tenantId: sc.tenant.id }, { orderBy: { createdAt: 'asc' } });
  return { items: rows.map((r) => toDto(sc.config, sc.tenant, r)) };
}

export async function updateConnection(sc: ServiceContext, input: { id: string } & Partial<Omit<CreateConnectionInput, 'slug' | 'provider'>>): Promise<ConnectionDto> {
  await sc.authz.require('connections:write');
  checkUrls(sc.config, input);
  return sc.em.transactional(async (tx) => {
    const row = await loadConnection(tx, sc.tenant.id, input.id);
    if (input.endpoints && row.provider !== 'github') throw CommonErrors.VALIDATION_FAILED({ fields: [{ path: 'endpoints', message: 'Only GitHub connections take endpoints' }] });
    const changed: string[] = [];
    for (const key of ['name', 'clientId', 'issuer', 'scopes', 'allowSignUp', 'enabled'] as const) {
      if (input[key] !== undefined) {
        (row as Record<string, unknown>)[key] = input[key];
        changed.push(key);
      }
    }
    if (input.endpoints) {
      row.endpoints = Object.fromEntries(Object.entries(input.endpoints).filter(([, v]) => v)) as Record<string, string>;
      changed.push('endpoints');
    }
    if (input.clientSecret) {
      row.clientSecret = seal(sc.config, row.id, input.clientSecret);
      changed.push('clientSecret');
    }
    row.updatedAt = new Date();
    recordEvent(tx, sc.actor, SocialEvents.of('connection.updated', { tenantId: sc.tenant.id, target: { type: 'connection', id: row.id }, data: { connectionId: row.id, slug: row.slug, provider: row.provider, changed } }));
    await tx.flush();
    return toDto(sc.config, sc.tenant, row);
  });
}

/** Removes a connection and every identity linked through it (their users keep their other ways in). */
export async function deleteConnection(sc: ServiceContext, id: string): Promise<{ deleted: true }> {
  await sc.authz.require('connections:write');
  return sc.em.transactional(async (tx) => {
    const row = await loadConnection(tx, sc.tenant.id, id);
    tx.remove(row);
    recordEvent(tx, sc.actor, SocialEvents.of('connection.deleted', { tenantId: sc.tenant.id, target: { type: 'connection', id: row.id }, data: { connectionId: row.id, slug: row.slug, provider: row.provider } }));
    await tx.flush();
    return { deleted: true as const };
  });
}

/** The enabled connections, for the sign-in page's buttons (public: names and start URLs only). */
export async function listSignInConnections(sc: Pick<ServiceContext, 'em' | 'tenant' | 'config'>) {
  const rows = await sc.em.find(SocialConnection, { tenantId: sc.tenant.id, enabled: true }, { orderBy: { createdAt: 'asc' } });
  return { items: rows.map((r) => ({ slug: r.slug, provider: r.provider as ProviderKind, name: r.name, startUrl: `${sc.config.PUBLIC_URL}/t/${sc.tenant.slug}/social/${r.slug}/start` })) };
}
