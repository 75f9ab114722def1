import type { InferEntity } from '@plinto/kernel';
import type { Invitation, InvitationStatus } from './entities/invitation.entity';
import type { InvitationDto } from './invitation.schemas';

export type InvitationRow = InferEntity<typeof Invitation>;

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** A pending row past its expiry is expired for every reader, before the job marks it. */
export function effectiveStatus(row: Pick<InvitationRow, 'status' | 'expiresAt'>, now = new Date()): InvitationStatus {
  return row.status === 'pending' && row.expiresAt <= now ? 'expired' : row.status;
}

export const isLive = (row: Pick<InvitationRow, 'status' | 'expiresAt'>, now = new Date()) => effectiveStatus(row, now) === 'pending';

export function toInvitationDto(row: InvitationRow, now = new Date()): InvitationDto {
  return {
    id: row.id,
    organizationId: row.organizationId,
    email: row.email,
    role: row.role,
    teamIds: row.teamIds,
    message: row.message ?? null,
    status: effectiveStatus(row, now),
    invitedBy: { type: row.invitedByType, id: row.invitedById ?? null, name: row.invitedByName ?? null },
    expiresAt: row.expiresAt.toISOString(),
    sendCount: row.sendCount,
    lastSentAt: row.lastSentAt.toISOString(),
    acceptedAt: iso(row.acceptedAt),
    acceptedUserId: row.acceptedUserId ?? null,
    revokedAt: iso(row.revokedAt),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export const invitationTarget = (id: string) => ({ type: 'invitation', id });

/** The `data` every invitation event carries. */
export const eventRef = (row: Pick<InvitationRow, 'id' | 'email' | 'role'>) => ({ invitationId: row.id, email: row.email, role: row.role });
