import { z } from 'zod';
import { adminSetting, readConfigSection } from '@plinto/kernel';

/** `true`/`false` (also 1/0, yes/no); an already parsed boolean passes, since sections are parsed again when read. */
const boolish = z.union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes')]);
export const orgsConfigSchema = z.object({
  /**
   * Whether any signed-in user may create an organization (and become its owner), as in Clerk.
   * When false, only holders of `organizations:create` tenant-wide (tenant admins, platform keys) can.
   */
  ORGS_USERS_CAN_CREATE: boolish.default(true),
});

export type OrgsConfig = z.infer<typeof orgsConfigSchema>;

export const orgsConfig = (config: object): OrgsConfig => readConfigSection(config, orgsConfigSchema);

/** The organizations section of a tenant's settings. */
export const orgsTenantSettings = z.object({
  usersCanCreateOrganizations: adminSetting(
    z.boolean().optional().describe('Whether any signed-in user may create an organization they own (default: ORGS_USERS_CAN_CREATE)'),
  ),
});
