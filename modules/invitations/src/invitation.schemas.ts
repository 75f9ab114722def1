import { tokenResponseShape } from '@plinto/auth';
import { z } from 'zod';
import { pageInput } from '@plinto/kernel';
import { normalizeEmail } from '@plinto/auth';
import { roleName } from '@plinto/authz';
import { INVITATION_STATUSES } from './entities/invitation.entity';

export const invitationEmail = z
  .string()
  .max(320)
  .transform(normalizeEmail)
  .pipe(z.email('A valid email address'))
  .describe('The invitee (case-insensitive)');

export const expiresInDays = z.number().int().min(1).max(365).describe('Days the link works (default INVITATION_EXPIRY_DAYS, 7)');
export const teamIds = z.array(z.uuid()).max(50).describe('Teams of the organization the invitee joins on acceptance');
export const invitationMessage = z.string().trim().min(1).max(2000).describe('A personal note, quoted in the email');
export const invitationIdParam = z.uuid().describe('The invitation id');
export const invitationToken = z.string().min(16).max(200).describe('The token from the invitation link (its `token` query parameter)');

export const invitationOutput = z
  .object({
    id: z.uuid(),
    organizationId: z.uuid(),
    email: z.string(),
    role: z.string(),
    teamIds: z.array(z.uuid()),
    message: z.string().nullable(),
    status: z.enum(INVITATION_STATUSES).describe('`expired` as soon as `expiresAt` passes, even before the expiry job marks the row'),
    invitedBy: z.object({ type: z.string(), id: z.string().nullable(), name: z.string().nullable() }),
    expiresAt: z.iso.datetime(),
    sendCount: z.number().int().describe('How many times it was emailed (1 + resends)'),
    lastSentAt: z.iso.datetime(),
    acceptedAt: z.iso.datetime().nullable(),
    acceptedUserId: z.uuid().nullable(),
    revokedAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Invitation' });

export type InvitationDto = z.infer<typeof invitationOutput>;

/** Create and resend return the link (and its token) once, for teams that deliver it themselves. */
export const invitationWithLinkOutput = invitationOutput
  .extend({
    link: z
      .string()
      .nullable()
      .describe('The accept link that was emailed, shown only now — and only to callers holding users:provision (server-side provisioning); null otherwise: the email is the proof of receipt'),
    token: z.string().nullable().describe('The token inside the link, under the same rule as `link`; only its hash is stored'),
  })
  .meta({ id: 'InvitationWithLink' });

export type InvitationWithLinkDto = z.infer<typeof invitationWithLinkOutput>;

export const createInvitationInput = z.object({
  organizationId: z.uuid(),
  email: invitationEmail,
  role: roleName.optional().describe("The role granted on acceptance (default: the organization's default role, else `member`)"),
  teams: teamIds.optional(),
  message: invitationMessage.optional(),
  expiresInDays: expiresInDays.optional(),
});

export type CreateInvitationInput = z.infer<typeof createInvitationInput>;

export const bulkRowStatus = z.enum(['created', 'already_member', 'invalid_email', 'duplicate', 'domain_not_allowed']);
export type BulkRowStatus = z.infer<typeof bulkRowStatus>;

export const bulkInvitationInput = z.object({
  organizationId: z.uuid(),
  invitations: z
    .array(
      z.object({
        // Checked per row by the service, so one bad address is a row result, not a failed call.
        email: z.string().max(320),
        role: roleName.optional(),
        teams: teamIds.optional(),
      }),
    )
    .min(1)
    .max(10_000)
    .describe('Up to INVITATION_BULK_MAX (1,000) invitees'),
  role: roleName.optional().describe('Role of rows that name none'),
  teams: teamIds.optional().describe('Teams of rows that name none'),
  message: invitationMessage.optional(),
  expiresInDays: expiresInDays.optional(),
});

export type BulkInvitationInput = z.infer<typeof bulkInvitationInput>;

export const bulkRowOutput = z
  .object({
    index: z.number().int().describe('Position in the request'),
    email: z.string(),
    status: bulkRowStatus,
    reason: z.string().optional().describe('For `duplicate`: `in_request` or `pending_invitation`'),
    invitationId: z.uuid().optional(),
    link: z.string().optional().describe('For `created`: the accept link, shown only now and only to callers holding users:provision'),
  })
  .meta({ id: 'BulkInvitationRow' });

export type BulkRowDto = z.infer<typeof bulkRowOutput>;

export const bulkInvitationOutput = z
  .object({
    created: z.number().int(),
    skipped: z.number().int(),
    results: z.array(bulkRowOutput),
  })
  .meta({ id: 'BulkInvitationResult' });

export const listInvitationsInput = z.object({
  ...pageInput,
  organizationId: z.uuid().optional().describe('Required unless you may read invitations tenant-wide'),
  status: z.enum(INVITATION_STATUSES).optional(),
  email: invitationEmail.optional(),
});

export type ListInvitationsInput = z.infer<typeof listInvitationsInput>;

export const updateInvitationInput = z.object({
  id: invitationIdParam,
  role: roleName.optional(),
  teams: teamIds.optional(),
  expiresInDays: expiresInDays.optional().describe('Expire this many days from now'),
});

export const acceptInvitationInput = z.object({
  token: invitationToken,
  password: z.string().min(1).max(256).optional().describe('For a new account: its password (the tenant password policy applies)'),
  name: z.string().trim().min(1).max(200).optional().describe("For a new account: the user's display name"),
});

export const acceptInvitationOutput = z
  .object({
    invitation: invitationOutput,
    user: z.object({ id: z.uuid(), email: z.string(), created: z.boolean().describe('A new account was created (email verified)') }),
    membership: z.object({ organizationId: z.uuid(), userId: z.uuid(), role: z.string(), teamIds: z.array(z.uuid()) }),
    // A new account is signed in at once (OAuth's field names, as every response that issues tokens).
    access_token: tokenResponseShape.access_token.optional(),
    token_type: tokenResponseShape.token_type.optional(),
    expires_in: tokenResponseShape.expires_in.optional(),
    refresh_token: tokenResponseShape.refresh_token.optional(),
    session_id: z.uuid().optional().describe('The new account’s session (absent when an existing, signed-in user accepted)'),
  })
  .meta({ id: 'AcceptedInvitation' });

export type AcceptedInvitationDto = z.infer<typeof acceptInvitationOutput>;

export const validateInvitationOutput = z
  .object({
    valid: z.literal(true),
    email: z.string(),
    organization: z.object({ id: z.uuid(), name: z.string(), slug: z.string() }),
    inviter: z.object({ name: z.string().nullable() }),
    role: z.string(),
    teamIds: z.array(z.uuid()),
    message: z.string().nullable(),
    expiresAt: z.iso.datetime(),
  })
  .meta({ id: 'InvitationPreview' });

export type InvitationPreviewDto = z.infer<typeof validateInvitationOutput>;
