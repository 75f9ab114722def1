import { z } from 'zod';

/**
 * Modules that read settings of their own from the environment (auth's throttling limits, the
 * email transport) register a section here at import time; `loadConfig` then validates and
 * defaults those variables together with the core ones, so one invalid value still stops the
 * process with a message naming it, and test overrides passed to `loadConfig` reach them too.
 * Core settings stay in config.ts; a module reads its own through `readConfigSection`.
 */
const sections = new Map<string, z.ZodObject>();

export function registerConfigSection(name: string, schema: z.ZodObject): void {
  sections.set(name, schema);
}

/** Every variable a registered section reads (for the settings-documentation check). */
export const registeredConfigVariables = (): string[] => [...sections.values()].flatMap((s) => Object.keys(s.shape));

/** The shape of every registered section, merged (for `configSchema.extend`). */
export function configSectionShape(): z.ZodRawShape {
  return Object.assign({}, ...[...sections.values()].map((s) => s.shape));
}

/**
 * A module's typed view of its section of a loaded Config. Parsing again is idempotent (values are
 * already coerced), and fills the defaults when the config was loaded before the module registered.
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
