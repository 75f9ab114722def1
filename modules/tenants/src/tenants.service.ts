import { forgetTenant, tenantIdHint } from './tenant-cache';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import {
  CommonErrors,
  decodeCursor,
  isUuid,
  recordEvent,
  toPage,
  uuidv7,
  requirePlatformOperator,
  type Actor,
  type EntityManager,
  type InferEntity,
  type ServiceContext,
} from '@plinto/kernel';
import { Tenant } from './entities/tenant.entity';
import { TenantErrors } from './errors';
import type { TenantDto, TenantSettings } from './tenant.schemas';

type TenantRow = InferEntity<typeof Tenant>;

export const DEFAULT_TENANT_SLUG = 'default';

export function toTenantDto(row: TenantRow): TenantDto {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    status: row.status,
    settings: row.settings,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    disabledAt: row.disabledAt ? row.disabledAt.toISOString() : null,
  };
}

export { toTenantRef } from './tenant-lookup';

/** By id or slug; "does not exist" is always TENANT_NOT_FOUND. */
async function loadTenant(em: EntityManager, idOrSlug: string): Promise<TenantRow> {
  const where = isUuid(idOrSlug) ? { id: idOrSlug } : { slug: idOrSlug.toLowerCase() };
  const row = await em.findOne(Tenant, where);
  if (!row) throw CommonErrors.TENANT_NOT_FOUND();
  return row;
}

import { findTenantBySlug } from './tenant-lookup';
import { TenantEvents } from './events';
export { findTenantBySlug, findTenantById } from './tenant-lookup';

/** Platform operators create tenants. */
export async function createTenant(sc: ServiceContext, input: { slug: string; name: string; settings?: TenantSettings }): Promise<TenantDto> {
  requirePlatformOperator(sc);
  return insertTenant(sc.em, sc.actor, input);
}

async function insertTenant(em: EntityManager, actor: Actor, input: { slug: string; name: string; settings?: TenantSettings }): Promise<TenantDto> {
  try {
    return await em.transactional(async (tx) => {
      const now = new Date();
      const row = tx.create(Tenant, {
        id: uuidv7(now.getTime()),
        slug: input.slug,
        name: input.name,
        status: 'active',
        settings: input.settings ?? {},
        createdAt: now,
        updatedAt: now,
        disabledAt: null,
      });
      recordEvent(tx, actor, TenantEvents.of('tenant.created', {
        tenantId: row.id,
        target: { type: 'tenant', id: row.id },
        data: { slug: row.slug, name: row.name },
      }));
      await tx.flush();
      return toTenantDto(row);
    });
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) {
      throw TenantErrors.TENANT_SLUG_TAKEN({ fields: [{ path: 'slug', message: 'Already taken' }] });
    }
    throw error;
  }
}

/** Platform operators list every tenant. */
export async function listTenants(sc: ServiceContext, query: { limit: number; cursor?: string; status?: 'active' | 'disabled'; search?: string }) {
  requirePlatformOperator(sc);
  const { em } = sc;
  const after = decodeCursor(query.cursor);
  const rows = await em.find(
    Tenant,
    {
      ...(after ? { id: { $lt: after } } : {}),
      ...(query.status ? { status: query.status } : {}),
      ...(query.search ? { $or: [{ slug: { $ilike: `%${escapeLike(query.search)}%` } }, { name: { $ilike: `%${escapeLike(query.search)}%` } }] } : {}),
    },
    { orderBy: { id: 'desc' }, limit: query.limit + 1 },
  );
  return toPage(rows, query.limit, toTenantDto);
}

const escapeLike = (value: string) => value.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Platform operators read any tenant, by id or slug. */
export async function getTenant(sc: ServiceContext, idOrSlug: string): Promise<TenantDto> {
  requirePlatformOperator(sc);
  return toTenantDto(await loadTenant(sc.em, idOrSlug));
}

/** What an unauthenticated client may learn of the tenant it addresses. */
export async function currentTenant(sc: ServiceContext): Promise<{ id: string; slug: string; name: string }> {
  return { id: sc.tenant.id, slug: sc.tenant.slug, name: sc.tenant.name };
}

/** Platform operators rename a tenant or change its settings (merged). */
export async function updateTenant(sc: ServiceContext, idOrSlug: string, patch: { name?: string; settings?: TenantSettings }): Promise<TenantDto> {
  requirePlatformOperator(sc);
  const { em, actor } = sc;
  return em.transactional(async (tx) => {
    const row = await loadTenant(tx, idOrSlug);
    const changed: Record<string, { from: unknown; to: unknown }> = {};
    if (patch.name !== undefined && patch.name !== row.name) {
      changed.name = { from: row.name, to: patch.name };
      row.name = patch.name;
    }
    if (patch.settings !== undefined) {
      // Settings merge: a key set to a value replaces it; absent keys stay as they were.
      const next = { ...row.settings, ...patch.settings };
      if (JSON.stringify(next) !== JSON.stringify(row.settings)) {
        changed.settings = { from: row.settings, to: next };
        row.settings = next;
      }
    }
    if (Object.keys(changed).length > 0) {
      row.updatedAt = new Date();
      recordEvent(tx, actor, TenantEvents.of('tenant.updated', {
        tenantId: row.id,
        target: { type: 'tenant', id: row.id },
        data: { changes: changed },
      }));
    }
    await tx.flush();
    return toTenantDto(row);
  }).finally(() => forgetTenant(em, tenantIdHint(idOrSlug)));
}

/** Disables or re-enables a tenant. Idempotent: setting the current status changes nothing. */
export async function setTenantStatus(sc: ServiceContext, idOrSlug: string, status: 'active' | 'disabled'): Promise<TenantDto> {
  requirePlatformOperator(sc);
  const { em, actor } = sc;
  return em.transactional(async (tx) => {
    const row = await loadTenant(tx, idOrSlug);
    if (row.status !== status) {
      const now = new Date();
      row.status = status;
      row.updatedAt = now;
      row.disabledAt = status === 'disabled' ? now : null;
      recordEvent(tx, actor, TenantEvents.of(status === 'disabled' ? 'tenant.disabled' : 'tenant.enabled', {
        tenantId: row.id,
        target: { type: 'tenant', id: row.id },
        data: { slug: row.slug },
      }));
    }
    await tx.flush();
    return toTenantDto(row);
  }).finally(() => forgetTenant(em, tenantIdHint(idOrSlug)));
}

/** The `default` tenant exists from first start, so single-app installs never think about tenants. */
export async function ensureDefaultTenant(em: EntityManager): Promise<void> {
  if (await findTenantBySlug(em, DEFAULT_TENANT_SLUG)) return;
  try {
    await insertTenant(em, { type: 'system', id: null }, { slug: DEFAULT_TENANT_SLUG, name: 'Default' });
  } catch (error) {
    // A concurrent boot created it first.
    if (!(error instanceof Error && 'appCode' in error && error.appCode === 'TENANT_SLUG_TAKEN')) throw error;
  }
}
