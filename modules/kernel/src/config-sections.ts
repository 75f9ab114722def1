import { z } from 'zod';

/**
 * Modules that read settings of their own from the environment (auth's throttling limits, the
 * email transport) declare a section in their manifest (`config`); the process validates the
 * sections with the core settings at start (`loadConfig(env, sections)`), so one invalid value
 * stops it with a message naming the variable.
 *
 * A module reads its own section through `readConfigSection`: parsing again is idempotent (values
 * are already coerced), and a config loaded without the section (a test, a one-off CLI) still
 * carries the raw variables, parsed — and refused when invalid — on first read.
 */
export function readConfigSection<T extends z.ZodObject>(config: object, schema: T): z.infer<T> {
  const cached = cache.get(config)?.get(schema);
  if (cached) return cached as z.infer<T>;
  const value = schema.parse(config);
  let perConfig = cache.get(config);
  if (!perConfig) cache.set(config, (perConfig = new Map()));
  perConfig.set(schema, value);
  return value;
}

const cache = new WeakMap<object, Map<z.ZodObject, unknown>>();

/**
 * A comma-separated list of host names or addresses (`127.0.0.1,localhost,[::1]`), lower-cased and
 * unbracketed. Accepts an already-parsed array too, since sections are parsed again when read.
 */
export const hostListSetting = z
  .union([z.array(z.string()), z.string()])
  .default([])
  .transform((v) => (typeof v === 'string' ? v.split(',') : v).map((s) => s.trim().toLowerCase().replace(/^\[|\]$/g, '')).filter(Boolean));

const tenantCache = new WeakMap<object, Map<z.ZodObject, unknown>>();

/**
 * A module's typed view of its section of a tenant's settings (the keys its manifest declares in
 * `tenantSettings`), defaults filled in. Cached per tenant object (the request path's tenant
 * lookups are cached objects, replaced when the tenant changes).
 */
export function tenantSection<T extends z.ZodObject>(tenant: { settings: Record<string, unknown> }, schema: T): z.infer<T> {
  let perTenant = tenantCache.get(tenant);
  const cached = perTenant?.get(schema);
  if (cached) return cached as z.infer<T>;
  // Keys of other modules' sections are not this module's business: read only its own.
  const own = Object.fromEntries(Object.keys(schema.shape).filter((k) => k in tenant.settings).map((k) => [k, tenant.settings[k]]));
  const value = schema.parse(own);
  if (!perTenant) tenantCache.set(tenant, (perTenant = new Map()));
  perTenant.set(schema, value);
  return value;
}

const adminSettings = new WeakSet<z.ZodType>();

/**
 * Marks a key of a module's tenant-settings section as one tenant administrators may change
 * (`settings:write`: presentation and everyday choices). Every unmarked key is security-relevant
 * (password policy, origins, link base URL, passkeys, retention…) and needs `settings:secure`
 * (owners by default), so a new setting is owner-only until its module says otherwise.
 */
export function adminSetting<T extends z.ZodType>(schema: T): T {
  adminSettings.add(schema);
  return schema;
}

/** Whether a settings key's schema was marked with `adminSetting`. */
export const isAdminSetting = (schema: z.ZodType | undefined): boolean => schema !== undefined && adminSettings.has(schema);
