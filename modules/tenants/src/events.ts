import { z } from 'zod';
import { defineEvents } from '@plinto/kernel';

/** The events this module records (the action catalog, webhook event types). */
export const TenantEvents = defineEvents('tenants', {
  'tenant.created': { description: 'A tenant was created', data: z.object({ slug: z.string(), name: z.string() }) },
  'tenant.updated': {
    description: 'A tenant was renamed or its settings changed',
    data: z.object({ changes: z.record(z.string(), z.object({ from: z.unknown(), to: z.unknown() })) }),
  },
  'tenant.settings_updated': {
    description: "A tenant's administrator changed its settings (branding, policies, origins…)",
    data: z.object({ changes: z.record(z.string(), z.object({ from: z.unknown(), to: z.unknown() })) }),
  },
  'tenant.disabled': { description: 'A tenant was disabled; its requests are refused', data: z.object({ slug: z.string() }) },
  'tenant.enabled': { description: 'A disabled tenant was enabled again', data: z.object({ slug: z.string() }) },
  'platform_api_key.created': { description: 'A platform operator API key was created', data: z.object({ name: z.string() }) },
  'platform_api_key.revoked': {
    description: 'A platform operator API key was revoked; its console sessions ended with it',
    data: z.object({ name: z.string(), prefix: z.string(), sessionsEnded: z.number().int() }),
  },
  'platform_operator.signed_in': {
    description: 'A platform operator signed in to the admin console with a platform key',
    data: z.object({ keyName: z.string(), keyPrefix: z.string() }),
  },
  'platform_operator.sign_in_failed': { description: 'A console sign-in with a platform key was refused', data: z.object({ reason: z.string() }) },
  'platform_operator.signed_out': { description: 'A platform operator signed out of the admin console', data: z.object({}) },
});
