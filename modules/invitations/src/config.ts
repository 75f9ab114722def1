import { z } from 'zod';
import { readConfigSection, type Config } from '@plinto/kernel';

export const invitationConfigSchema = z.object({
  /** Days an invitation works when the request does not say (`expiresInDays`). */
  INVITATION_EXPIRY_DAYS: z.coerce.number().int().min(1).max(365).default(7),
  /**
   * The accept page every invitation links to (`?token=` is added). When unset, the tenant's
   * `appUrl` (else PUBLIC_URL) + `/accept-invitation`. Never taken from a request's headers.
   */
  INVITATION_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Most invitations one `POST /v1/invitations/bulk` call may carry. */
  INVITATION_BULK_MAX: z.coerce.number().int().min(1).max(10_000).default(1000),
});

export type InvitationConfig = z.infer<typeof invitationConfigSchema>;


export const invitationConfig = (config: Config): InvitationConfig => readConfigSection(config, invitationConfigSchema);
