import { LockMode } from '@mikro-orm/core';
import { z } from 'zod';
import { CommonErrors, isAdminSetting, lacksRequiredMfa, recordEvent, type ServiceContext } from '@plinto/kernel';
import { Tenant } from './entities/tenant.entity';
import { TenantEvents } from './events';
import { forgetTenant } from './tenant-cache';
import type { TenantSettings } from './tenant.schemas';

/**
 * Tenant administrators' own settings procedure: read and change the settings of the tenant they
 * are signed in to (never another: the tenant is the caller's own, `sc.tenant`, not an argument).
 *
 * - `settings:read` (viewer): read them.
 * - `settings:write` (admin): change the keys their module marked `adminSetting` (branding, the
 *   email sender name, whether users create organizations).
 * - `settings:secure` (owner) as well for every other key: password policy, allowed origins, the
 *   base URL of emailed links (which carry tokens), passkeys, audit retention.
 *
 * A patch merges: a key absent stays, a key set to `null` goes back to its default, and a nested
 * section (branding, passkeys) merges key by key. The merged result is validated as a whole, so a
 * rule spanning keys (the branding colours' contrast) sees the stored values too.
 */
export interface TenantSettingsView {
  settings: TenantSettings;
  updatedAt: string;
}

export function tenantSettingsServices(schema: z.ZodObject) {
  async function getTenantSettings(sc: ServiceContext): Promise<TenantSettingsView> {
    await sc.authz.require('settings:read');
    // From the database, not the request's cached tenant: an editor must see what is stored now.
    const row = await sc.em.findOneOrFail(Tenant, { id: sc.tenant.id });
    return { settings: row.settings, updatedAt: row.updatedAt.toISOString() };
  }

  async function updateTenantSettings(sc: ServiceContext, patch: Record<string, unknown>): Promise<TenantSettingsView> {
    await sc.authz.require('settings:write');
    const unknown = Object.keys(patch).filter((key) => !(key in schema.shape));
    if (unknown.length > 0) throw CommonErrors.VALIDATION_FAILED({ fields: unknown.map((key) => ({ path: `settings.${key}`, message: 'Not a tenant setting' })) });
    const secure = Object.keys(patch).filter((key) => patch[key] !== undefined && !isAdminSetting(schema.shape[key] as z.ZodType));
    if (secure.length > 0) await sc.authz.require('settings:secure');
    const tenantId = sc.tenant.id;
    return sc.em
      .transactional(async (tx) => {
        const row = await tx.findOneOrFail(Tenant, { id: tenantId }, { lockMode: LockMode.PESSIMISTIC_WRITE } /* concurrent patches merge in turn */);
        const merged = mergeSettings(row.settings, patch);
        const parsed = schema.safeParse(merged);
        if (!parsed.success) {
          throw CommonErrors.VALIDATION_FAILED({
            fields: parsed.error.issues.map((issue) => ({ path: ['settings', ...issue.path.map(String)].join('.'), message: issue.message, code: issue.code })),
          });
        }
        // Requiring a second factor from a session without one would strip the caller of every
        // permission on the spot (the authorizer's rule): enrol and sign in with it first.
        if (lacksRequiredMfa({ settings: merged }, sc.principal) && !lacksRequiredMfa(row, sc.principal)) {
          throw CommonErrors.VALIDATION_FAILED({
            fields: [{ path: 'settings.mfa.required', message: 'Sign in with a second factor first: requiring one now would lock you out', code: 'mfa_required_for_caller' }],
          });
        }
        const changes: Record<string, { from: unknown; to: unknown }> = {};
        for (const key of new Set([...Object.keys(row.settings), ...Object.keys(merged)])) {
          if (JSON.stringify(row.settings[key]) !== JSON.stringify(merged[key])) changes[key] = { from: row.settings[key] ?? null, to: merged[key] ?? null };
        }
        if (Object.keys(changes).length > 0) {
          row.settings = merged;
          row.updatedAt = new Date();
          recordEvent(tx, sc.actor, TenantEvents.of('tenant.settings_updated', { tenantId, target: { type: 'tenant', id: tenantId }, data: { changes } }));
        }
        await tx.flush();
        return { settings: row.settings, updatedAt: row.updatedAt.toISOString() };
      })
      .finally(() => forgetTenant(sc.em, tenantId));
  }

  return { getTenantSettings, updateTenantSettings };
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `patch` over `current`: null removes a key, objects merge key by key, anything else replaces. */
export function mergeSettings(current: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const next: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (value === null) {
      delete next[key];
    } else if (isPlainObject(value)) {
      const merged = mergeSettings(isPlainObject(next[key]) ? next[key] : {}, value);
      if (Object.keys(merged).length > 0) next[key] = merged;
      else delete next[key];
    } else {
      next[key] = value;
    }
  }
  return next;
}

/**
 * The input of a settings patch: every key of the composed settings, optional and nullable (null =
 * back to the default); a nested section's own keys likewise. Cross-key rules are checked on the
 * merged result by the service, not here (a patch alone does not hold the stored values).
 */
export function settingsPatchOf(schema: z.ZodObject): z.ZodObject {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
    const inner = field instanceof z.ZodOptional ? (field.unwrap() as z.ZodType) : field;
    const value =
      inner instanceof z.ZodObject
        ? z.strictObject(Object.fromEntries(Object.entries(inner.shape as Record<string, z.ZodType>).map(([k, s]) => [k, nullableOptional(s)])))
        : inner;
    shape[key] = value.nullable().optional().describe(field.description ?? key);
  }
  return z.strictObject(shape).describe('Tenant settings to change: absent keys stay, null restores the default').meta({ id: 'TenantSettingsPatch' });
}

function nullableOptional(s: z.ZodType): z.ZodType {
  const patchable = (s instanceof z.ZodOptional ? (s.unwrap() as z.ZodType) : s).nullable().optional();
  return s.description ? patchable.describe(s.description) : patchable;
}
