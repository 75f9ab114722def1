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
});
