import { z } from 'zod';
import { hostListSetting, readConfigSection } from '@plinto/kernel';

/** The authorization settings, validated with the rest of the configuration (see config-sections). */
export const authzConfigSchema = z.object({
  /** How long a cached decision (and a compiled tenant policy) may be reused, in seconds. */
  POLICY_CACHE_TTL: z.coerce.number().int().min(0).max(86_400).default(300),
  /** A decision that takes longer than this (milliseconds) is a deny. */
  POLICY_EVALUATION_TIMEOUT: z.coerce.number().int().min(1).max(60_000).default(1000),
  /** Share of decisions written to the decision log when a tenant sets no rate of its own. */
  POLICY_DECISION_LOG_SAMPLE_RATE: z.coerce.number().min(0).max(1).default(0),
  /** Most cached decisions per api process. */
  POLICY_DECISION_CACHE_SIZE: z.coerce.number().int().min(0).default(100_000),
  /**
   * Hosts or addresses an OPA server may live at even though they are not public (e.g. `opa`,
   * `10.0.0.5`, `127.0.0.1`); empty by default, so a tenant cannot point Plinto at internal services.
   */
  POLICY_OPA_ALLOWED_HOSTS: hostListSetting,
});
export type AuthzConfig = z.infer<typeof authzConfigSchema>;


export const authzConfig = (config: object): AuthzConfig => readConfigSection(config, authzConfigSchema);
