import { z } from 'zod';

/** The webhook payload of an event (byte-identical body to a webhook delivery's). */
export interface RealtimeEvent {
  /** The event's id (the webhook `id`, the audit event id). */
  id: string;
  type: string;
  timestamp: string;
  tenantId: string;
  organizationId: string | null;
  actor: { type: string; id: string | null };
  target: { type: string; id: string } | null;
  data: Record<string, unknown>;
}

/**
 * What a subscriber receives: an event with its resumable id (pass the last one back to resume);
 * `reset` when the events it missed are no longer all kept (it should reload its state); `ready`
 * once, when the subscription is authorized and caught up (live from here; id `0-0` when the
 * tenant has no recent events).
 */
export type RealtimeMessage =
  | { id: string; kind: 'event'; event: RealtimeEvent }
  | { id: string; kind: 'reset' }
  | { id: string; kind: 'ready' };

export const streamSchema = z.discriminatedUnion('kind', [
  /** The caller's own user: sessions, password/email/MFA, roles and memberships, organization switches. */
  z.object({ kind: z.literal('user') }),
  /** One organization's events, each delivered when the caller may read its kind in that organization. */
  z.object({ kind: z.literal('organization'), organizationId: z.uuid() }),
  /** Every event of the tenant whose type matches one of `types` (`user.*`, `organization.created`, `*`). */
  z.object({ kind: z.literal('tenant'), types: z.array(z.string().min(1).max(200)).max(50).default(['*']) }),
]);

export type StreamSpec = z.infer<typeof streamSchema>;

/** The permission a tenant-wide stream needs (admins by default, API keys and machine clients holding it). */
export const TENANT_STREAM_PERMISSION = 'events:subscribe';

/** The permission that opens an organization's stream (each event then needs its own, below). */
export const ORGANIZATION_STREAM_PERMISSION = 'organizations:read';

/** Event kinds of the caller's own stream (about the caller: target or `data.userId`). */
const USER_TYPES = ['session.', 'password.', 'email.', 'mfa.', 'role.', 'organization.member.', 'team.member.', 'user.updated', 'user.disabled', 'user.enabled', 'user.deleted', 'user.locked'];

/** The permission an organization's event needs, by kind: members see what they could read through the API. */
const ORGANIZATION_PERMISSIONS: [prefix: string, permission: string][] = [
  ['organization.member.', 'members:read'],
  ['team.', 'members:read'],
  ['invitation.', 'invitations:read'],
  ['organization.', 'organizations:read'],
  ['role.', 'roles:read'],
  ['policy.', 'policies:read'],
  ['webhook.', 'webhooks:read'],
];

export function organizationEventPermission(type: string): string {
  return ORGANIZATION_PERMISSIONS.find(([prefix]) => type.startsWith(prefix))?.[1] ?? 'audit:read';
}

/** `*` matches everything, `user.*` any type under `user.`, anything else itself (as webhook filters). */
export function matchesTypes(types: string[], type: string): boolean {
  return types.some((f) => f === '*' || f === type || (f.endsWith('.*') && type.startsWith(f.slice(0, -1))));
}

/** Whether an event is about `userId` and of a kind its owner's stream carries. */
export function isAboutUser(event: RealtimeEvent, userId: string): boolean {
  const about = (event.target?.type === 'user' && event.target.id === userId) || event.data.userId === userId;
  return about && USER_TYPES.some((prefix) => event.type.startsWith(prefix));
}

/** Events after which a subscriber's permissions may differ: its stream's permission is checked again. */
export function changesPermissions(type: string): boolean {
  return type.startsWith('role.') || type.startsWith('policy.') || type.startsWith('authz.') || type === 'organization.member.removed' || type === 'organization.member.left' || type === 'organization.member.role_changed' || type === 'organization.deleted' || type === 'user.disabled' || type === 'user.deleted';
}
