import { defineEntity, p } from '@mikro-orm/core';

/** A person with an account in one tenant. `email` is stored normalised (see normalizeEmail). */
export const User = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.uuid(),
    email: p.string(),
    displayName: p.string().nullable(),
    metadata: p.json<Record<string, unknown>>(),
    /** argon2id PHC string; null for accounts that only sign in by magic link. */
    passwordHash: p.text().nullable(),
    emailVerifiedAt: p.datetime().nullable(),
    disabledAt: p.datetime().nullable(),
    mfaEnabledAt: p.datetime().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
    lastSignInAt: p.datetime().nullable(),
  },
});

/**
 * A server-side sign-in session: one refresh-token family (see tokens/refresh.ts) and the `sid` of
 * every access token issued from it. `amr` (RFC 8176 values: pwd, otp, email) and `aal` record how
 * the user authenticated, so policies can require MFA. `organizationId` is the active organization
 * access tokens carry.
 */
export const Session = defineEntity({
  name: 'Session',
  tableName: 'sessions',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.uuid(),
    userId: p.uuid(),
    amr: p.json<string[]>(),
    organizationId: p.uuid().nullable(),
    organizationRole: p.string().nullable(),
    aal: p.integer(),
    ip: p.string().nullable(),
    userAgent: p.text().nullable(),
    createdAt: p.datetime(),
    lastUsedAt: p.datetime(),
    expiresAt: p.datetime(),
    revokedAt: p.datetime().nullable(),
    revokedReason: p.string().nullable(),
  },
});

/** Single-use, expiring, emailed secrets; only their SHA-256 is stored. */
export const AuthToken = defineEntity({
  name: 'AuthToken',
  tableName: 'auth_tokens',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.uuid(),
    userId: p.uuid(),
    purpose: p.enum(['email_verification', 'password_reset', 'magic_link', 'email_change'] as const),
    /** The address an `email_change` token will set (null for the other purposes). */
    newEmail: p.string().nullable(),
    tokenHash: p.string(),
    createdAt: p.datetime(),
    expiresAt: p.datetime(),
    consumedAt: p.datetime().nullable(),
  },
});
