import { defineEntity, p } from '@mikro-orm/core';

export const INVITATION_STATUSES = ['pending', 'accepted', 'expired', 'revoked'] as const;
export type InvitationStatus = (typeof INVITATION_STATUSES)[number];

/**
 * An invitation to join one organization. Only the SHA-256 of its token is stored; the token
 * itself exists in the create/resend response and the emailed link. A row stays `pending` until it
 * is accepted, revoked, or marked `expired` (by the maintenance job or `cleanup`); readers treat a
 * pending row past `expiresAt` as expired already.
 */
export const Invitation = defineEntity({
  name: 'Invitation',
  tableName: 'invitations',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.uuid(),
    organizationId: p.uuid(),
    /** Normalised like users' emails (NFKC, trimmed, lower-cased). */
    email: p.string(),
    role: p.string(),
    teamIds: p.json<string[]>(),
    message: p.text().nullable(),
    tokenHash: p.string(),
    status: p.enum([...INVITATION_STATUSES]),
    /** Who invited: an audit actor (a user, an API key, a platform operator). */
    invitedByType: p.string(),
    invitedById: p.string().nullable(),
    /** The inviter's name (or email) when invited, for the email and the accept page. */
    invitedByName: p.string().nullable(),
    expiresAt: p.datetime(),
    sendCount: p.integer(),
    lastSentAt: p.datetime(),
    acceptedAt: p.datetime().nullable(),
    acceptedUserId: p.uuid().nullable(),
    revokedAt: p.datetime().nullable(),
    revokedById: p.string().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});
