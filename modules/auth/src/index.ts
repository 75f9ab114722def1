/**
 * @plinto/auth — accounts and credentials: users per tenant, password sign-up/sign-in, email
 * verification, password reset, magic links, TOTP MFA, throttling and lockout, and the session
 * rows sign-in creates (the next issue turns them into access + refresh tokens).
 */
import type { Config, ModuleSchema } from '@plinto/kernel';
import { AuthToken, Session, User } from './entities/user.entity';
import { MfaChallenge, RecoveryCode, TotpFactor } from './entities/mfa.entity';
import { authMigrations } from './migrations';
import { authConfig } from './config';
import { configureHashing } from './password/hasher';
import './events';

export { authRouter, usersRouter } from './router';
export { authConfig, authConfigSchema, type AuthConfig } from './config';
export { AuthErrors } from './errors';
export { authenticateSession, createSession, revokeUserSessions, SESSION_TOKEN_PREFIX } from './services/sessions.service';
export { hashPassword, verifyPassword, hashMetrics, ARGON2_OPTIONS } from './password/hasher';
export { checkPasswordPolicy, normalizePassword } from './password/policy';
export { normalizeEmail, userOutput, signInOutput, type UserDto, type SignInResult } from './auth.schemas';
export { User, Session, AuthToken, TotpFactor, RecoveryCode, MfaChallenge };

/** Applies this process's auth settings (hash concurrency) once the config is loaded. */
export function configureAuth(config: Config): void {
  const c = authConfig(config);
  configureHashing(c.AUTH_HASH_CONCURRENCY, c.AUTH_HASH_QUEUE_MAX);
}

export const authSchema: ModuleSchema = {
  entities: [User, Session, AuthToken, TotpFactor, RecoveryCode, MfaChallenge],
  migrations: authMigrations,
};
