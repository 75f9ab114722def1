import { defineEntity, p } from '@mikro-orm/core';

/**
 * A user's TOTP authenticator. `confirmedAt` is null while enrolling. `lastUsedStep` is the
 * highest 30-second step ever accepted: a code is accepted only for a later step, so the same
 * code (or an older one from the window) can never be used twice.
 */
export const TotpFactor = defineEntity({
  name: 'TotpFactor',
  tableName: 'mfa_totp_factors',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.uuid(),
    userId: p.uuid(),
    secret: p.string(),
    confirmedAt: p.datetime().nullable(),
    lastUsedStep: p.bigint('number').nullable(),
    createdAt: p.datetime(),
  },
});

/** One of the ten single-use recovery codes of a user (SHA-256 of an 80-bit code). */
export const RecoveryCode = defineEntity({
  name: 'RecoveryCode',
  tableName: 'mfa_recovery_codes',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.uuid(),
    userId: p.uuid(),
    codeHash: p.string(),
    usedAt: p.datetime().nullable(),
    createdAt: p.datetime(),
  },
});

/** The second step of a sign-in: proof of the first factor, waiting for a code. */
export const MfaChallenge = defineEntity({
  name: 'MfaChallenge',
  tableName: 'mfa_challenges',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.uuid(),
    userId: p.uuid(),
    tokenHash: p.string(),
    /** The methods already proven (e.g. ['pwd']); the session gets these plus the MFA method. */
    amr: p.json<string[]>(),
    attempts: p.integer(),
    createdAt: p.datetime(),
    expiresAt: p.datetime(),
    consumedAt: p.datetime().nullable(),
  },
});
