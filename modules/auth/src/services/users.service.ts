import {
  decodeCursor,
  recordEvent,
  toPage,
  isUuid,
  fastQuery,
  uuidv7,
  type EntityManager,
  type InferEntity,
  type ServiceContext,
} from '@plinto/kernel';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { User } from '../entities/user.entity';
import { AuthErrors } from '../errors';
import type { UserDto } from '../auth.schemas';
import { revokeUserSessions } from './sessions.service';
import { withRevocations } from '../tokens/services';
import { AuthEvents } from '../events';
import { authConfig } from '../config';
import { issueToken } from './tokens.service';
import { buildLink, emailEffect, linkSettingsOf } from './tenant-settings';

export type UserRow = InferEntity<typeof User>;

export function toUserDto(row: UserRow): UserDto {
  return {
    id: row.id,
    email: row.email,
    emailVerified: row.emailVerifiedAt !== null,
    displayName: row.displayName ?? null,
    metadata: row.metadata,
    disabled: row.disabledAt !== null,
    mfaEnabled: row.mfaEnabledAt !== null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    lastSignInAt: row.lastSignInAt ? row.lastSignInAt.toISOString() : null,
  };
}

/** A new user row in `tx`'s unit of work (sign-up, invitation acceptance); the caller flushes. */
export function newUserRow(
  tx: EntityManager,
  input: { tenantId: string; email: string; displayName?: string | null; metadata?: Record<string, unknown>; passwordHash: string | null; emailVerifiedAt: Date | null },
): UserRow {
  const now = new Date();
  return tx.create(User, {
    id: uuidv7(now.getTime()),
    tenantId: input.tenantId,
    email: input.email,
    displayName: input.displayName ?? null,
    metadata: input.metadata ?? {},
    passwordHash: input.passwordHash,
    emailVerifiedAt: input.emailVerifiedAt,
    disabledAt: null,
    mfaEnabledAt: null,
    createdAt: now,
    updatedAt: now,
    lastSignInAt: null,
  });
}

export const findUserByEmail = (em: EntityManager, tenantId: string, email: string) => em.findOne(User, { tenantId, email });

export interface UserSqlRow {
  id: string;
  tenant_id: string;
  email: string;
  display_name: string | null;
  metadata: Record<string, unknown>;
  password_hash: string | null;
  email_verified_at: string | null;
  disabled_at: string | null;
  mfa_enabled_at: string | null;
  created_at: string;
  updated_at: string;
  last_sign_in_at: string | null;
}

// Raw results carry timestamps as text (MikroORM leaves the driver's date parsing off).
const dateOrNull = (value: string | null) => (value === null ? null : new Date(value));

/**
 * The same lookup as findUserByEmail in plain SQL, read-only (no unit of work, no identity map):
 * sign-in runs it on every attempt, and the row is only read.
 */
export async function readUserByEmail(em: EntityManager, tenantId: string, email: string): Promise<(UserRow & { hasPasskey: boolean }) | null> {
  // Whether a passkey can be the second factor rides along (an index probe): no extra round trip.
  const [r] = await fastQuery<UserSqlRow & { has_passkey: boolean }>(
    em,
    'select u.*, exists(select 1 from passkeys p where p.user_id = u.id) as has_passkey from users u where u.tenant_id = ? and u.email = ?',
    [tenantId, email],
    'plinto_user_by_email_v2',
  );
  if (!r) return null;
  return { ...userOfSqlRow(r), hasPasskey: r.has_passkey === true };
}

/** A `users` row read with raw SQL (`u.*`), as the entity's plain shape. */
export function userOfSqlRow(r: UserSqlRow): UserRow {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    email: r.email,
    displayName: r.display_name,
    metadata: r.metadata,
    passwordHash: r.password_hash,
    emailVerifiedAt: dateOrNull(r.email_verified_at),
    disabledAt: dateOrNull(r.disabled_at),
    mfaEnabledAt: dateOrNull(r.mfa_enabled_at),
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
    lastSignInAt: dateOrNull(r.last_sign_in_at),
  } as UserRow;
}

/** A user of this tenant; one of another tenant is the same 404 as one that does not exist. */
export async function loadUser(em: EntityManager, tenantId: string, userId: string): Promise<UserRow> {
  const row = isUuid(userId) ? await em.findOne(User, { id: userId, tenantId }) : null;
  if (!row) throw AuthErrors.USER_NOT_FOUND();
  return row;
}

const escapeLike = (value: string) => value.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Tenant admins: users of the tenant, newest first; needs users:read. */
export async function listUsers(sc: ServiceContext, query: { limit: number; cursor?: string; search?: string; disabled?: boolean }) {
  await sc.authz.require('users:read');
  const after = decodeCursor(query.cursor);
  const pattern = query.search ? `%${escapeLike(query.search.toLowerCase())}%` : undefined;
  const rows = await sc.em.find(
    User,
    {
      tenantId: sc.tenant.id,
      ...(after ? { id: { $lt: after } } : {}),
      ...(query.disabled === undefined ? {} : { disabledAt: query.disabled ? { $ne: null } : null }),
      ...(pattern ? { $or: [{ email: { $like: pattern } }, { displayName: { $ilike: pattern } }] } : {}),
    },
    { orderBy: { id: 'desc' }, limit: query.limit + 1 },
  );
  return toPage(rows, query.limit, toUserDto);
}

/** Tenant admins: one user; needs users:read. */
export async function getUser(sc: ServiceContext, userId: string): Promise<UserDto> {
  await sc.authz.require('users:read');
  return toUserDto(await loadUser(sc.em, sc.tenant.id, userId));
}

/**
 * Many users of this tenant by id, in one query (GraphQL's per-request loader resolves every
 * `member.user` of a page with it); needs users:read like getUser. Ids of other tenants, unknown
 * or malformed ones come back absent, as getUser's 404 would answer.
 */
export async function getUsers(sc: ServiceContext, userIds: readonly string[]): Promise<Map<string, UserDto>> {
  await sc.authz.require('users:read');
  const ids = [...new Set(userIds.filter(isUuid))];
  const rows = ids.length ? await sc.em.find(User, { id: { $in: ids }, tenantId: sc.tenant.id }) : [];
  return new Map(rows.map((row) => [row.id, toUserDto(row)]));
}

/**
 * The same user view as getUser by one prepared statement, without the unit of work: the session
 * check (`GET /v1/auth/session`) reads the signed-in user on every call, and MikroORM's findOne
 * cost more CPU than the read. Times come as epoch milliseconds, so they print as getUser's do.
 */
export async function getUserSnapshot(em: EntityManager, tenantId: string, userId: string): Promise<UserDto> {
  const ms = (column: string) => `(extract(epoch from ${column}) * 1000)::float8 as ${column}`;
  const [row] = isUuid(userId)
    ? await fastQuery<{ id: string; email: string; email_verified: boolean; display_name: string | null; metadata: Record<string, unknown>; disabled: boolean; mfa_enabled: boolean; created_at: number; updated_at: number; last_sign_in_at: number | null }>(
        em,
        `select id, email, email_verified_at is not null as email_verified, display_name, metadata, disabled_at is not null as disabled,
                mfa_enabled_at is not null as mfa_enabled, ${ms('created_at')}, ${ms('updated_at')}, ${ms('last_sign_in_at')}
           from users where id = ? and tenant_id = ?`,
        [userId, tenantId],
        'plinto_user_snapshot',
      )
    : [];
  if (!row) throw AuthErrors.USER_NOT_FOUND();
  const iso = (value: number) => new Date(value).toISOString();
  return {
    id: row.id,
    email: row.email,
    emailVerified: row.email_verified,
    displayName: row.display_name,
    metadata: row.metadata,
    disabled: row.disabled,
    mfaEnabled: row.mfa_enabled,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    lastSignInAt: row.last_sign_in_at === null ? null : iso(row.last_sign_in_at),
  };
}

/**
 * A user the caller may manage: `permission`, and the principal hierarchy — nobody changes a user
 * who holds Plinto permissions the caller does not (an admin cannot touch an owner).
 */
export async function manageableUser(sc: ServiceContext, em: EntityManager, userId: string, permission: string): Promise<UserRow> {
  await sc.authz.require(permission);
  const row = await loadUser(em, sc.tenant.id, userId);
  await sc.authz.requireOutranks({ kind: 'user', id: row.id }, { field: 'userId' });
  return row;
}

/**
 * Changes a user's profile or email. Needs users:write and to outrank the user. An email address
 * counts as verified only on proof of receipt: a new address is unverified and gets a verification
 * link — unless the caller vouches for it (`emailVerified: true`), which is server-side provisioning
 * and needs users:provision (tenant owners, platform operators).
 */
export async function updateUser(
  sc: ServiceContext,
  userId: string,
  patch: { displayName?: string | null; metadata?: Record<string, unknown>; email?: string; emailVerified?: boolean },
): Promise<UserDto> {
  if (patch.emailVerified !== undefined) await sc.authz.require('users:provision');
  const c = authConfig(sc.config);
  try {
    return await sc.em.transactional(async (tx) => {
      const row = await manageableUser(sc, tx, userId, 'users:write');
      const changed: string[] = [];
      if (patch.displayName !== undefined && patch.displayName !== row.displayName) {
        row.displayName = patch.displayName;
        changed.push('displayName');
      }
      if (patch.metadata !== undefined) {
        row.metadata = patch.metadata;
        changed.push('metadata');
      }
      let verifyNewAddress = false;
      if (patch.email !== undefined && patch.email !== row.email) {
        row.email = patch.email;
        // A new address is unproven until its owner verifies it (unless a provisioner vouches below).
        row.emailVerifiedAt = null;
        verifyNewAddress = patch.emailVerified !== true;
        changed.push('email');
      }
      if (patch.emailVerified !== undefined && patch.emailVerified !== (row.emailVerifiedAt !== null)) {
        row.emailVerifiedAt = patch.emailVerified ? new Date() : null;
        changed.push('emailVerified');
      }
      if (changed.length > 0) {
        row.updatedAt = new Date();
        await tx.flush();
        const effects = [];
        if (verifyNewAddress) {
          const ttlMinutes = c.AUTH_EMAIL_VERIFICATION_TTL_HOURS * 60;
          const token = await issueToken(tx, { tenantId: sc.tenant.id, userId: row.id, purpose: 'email_verification', ttlMs: ttlMinutes * 60_000 });
          const link = buildLink(sc.config, linkSettingsOf(sc.tenant), '/verify-email', token);
          effects.push(emailEffect({ template: 'email_verification', tenantId: sc.tenant.id, to: row.email, name: row.displayName, link, expiresInMinutes: ttlMinutes }));
        }
        recordEvent(tx, sc.actor, AuthEvents.of('user.updated', { tenantId: sc.tenant.id, target: { type: 'user', id: row.id }, data: { changed } }), effects);
      }
      await tx.flush();
      return toUserDto(row);
    });
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) {
      throw AuthErrors.EMAIL_TAKEN({ fields: [{ path: 'email', message: 'Already used by another user' }] });
    }
    throw error;
  }
}

/** Disabling ends every session of the user at once; enabling lets them sign in again. Needs users:write and to outrank the user. */
export async function setUserDisabled(sc: ServiceContext, userId: string, disabled: boolean): Promise<UserDto> {
  return withRevocations(sc, async (tx, revoke) => {
    const row = await manageableUser(sc, tx, userId, 'users:write');
    if ((row.disabledAt !== null) !== disabled) {
      const now = new Date();
      row.disabledAt = disabled ? now : null;
      row.updatedAt = now;
      let revoked = 0;
      if (disabled) revoked = await revokeUserSessions(tx, revoke, row.id, 'user_disabled');
      recordEvent(tx, sc.actor, AuthEvents.of(disabled ? 'user.disabled' : 'user.enabled', {
        tenantId: sc.tenant.id,
        target: { type: 'user', id: row.id },
        data: disabled ? { sessionsRevoked: revoked } : {},
      }));
    }
    await tx.flush();
    return toUserDto(row);
  });
}

/** Deletes a user with their sessions and credentials. Needs users:delete and to outrank the user. */
export async function deleteUser(sc: ServiceContext, userId: string): Promise<{ deleted: true }> {
  await withRevocations(sc, async (tx, revoke) => {
    const row = await manageableUser(sc, tx, userId, 'users:delete');
    // Its access tokens must stop verifying too, not only its refresh tokens (deleted by cascade).
    await revokeUserSessions(tx, revoke, row.id, 'user_deleted');
    recordEvent(tx, sc.actor, AuthEvents.of('user.deleted', { tenantId: sc.tenant.id, target: { type: 'user', id: row.id }, data: { email: row.email } }));
    // Sessions, tokens and MFA rows go with it (on delete cascade).
    tx.remove(row);
    await tx.flush();
  });
  return { deleted: true };
}
