/**
 * @plinto/auth — accounts, credentials and what a signed-in principal holds: users per tenant,
 * password sign-up/sign-in, email verification, password reset, magic links, TOTP MFA, throttling
 * and lockout; sessions with rotating refresh-token families and JWT access tokens signed by
 * per-tenant keys; the OAuth endpoints (discovery, JWKS, token, introspection, revocation); API keys
 * and machine clients.
 */
import { defineModule, type Config, type ModuleSchema } from '@plinto/kernel';
import { AuthToken, Session, User } from './entities/user.entity';
import { MfaChallenge, RecoveryCode, TotpFactor } from './entities/mfa.entity';
import { RefreshToken, SigningKey, TokenRevocation } from './tokens/entities';
import { authMigrations } from './migrations';
import { tokenMigrations } from './tokens/migrations';
import { emailChangeMigrations } from './email-change-migrations';
import { passkeysSchema, passkeysRouter, PasskeyEvents, passkeyRegistrationOptions, registerPasskey, passkeySignInOptions, passkeySignIn, passkeyMfaOptions, verifyPasskeyMfa, listMyPasskeys, renamePasskey, deletePasskey, listUserPasskeys, deleteUserPasskey } from './passkeys';
import { socialSchema, connectionsRouter, identitiesRouter, SocialEvents, SOCIAL_PERMISSIONS, createConnection, listConnections, updateConnection, deleteConnection, listSignInConnections, listMyIdentities, unlinkIdentity, startSocialSignIn, finishSocialSignIn } from './social';
import { credentialsSchema, CredentialEvents, apiKeysRouter, clientsRouter, createApiKey, listApiKeys, revokeApiKey, createClient, listClients, revokeClient } from './credentials';
import { authConfig, authConfigSchema } from './config';
import { configureHashing } from './password/hasher';
import { AuthEvents } from './events';
import { authRouter, usersRouter, sessionsRouter, signingKeysRouter } from './router';
import { authTenantSettings } from './services/tenant-settings';
import { signingKeyProvisioning, signingKeysTask, tokenStateTask } from './maintenance';
import { TOKEN_SERVICES, startTokenServices } from './tokens/services';
import { signUp } from './services/sign-up.service';
import { signIn } from './services/sign-in.service';
import { consumeMagicLink, requestMagicLink, requestPasswordReset, resetPassword, verifyEmail } from './services/recovery.service';
import { confirmTotp, disableTotp, enrollTotp, regenerateRecoveryCodes, verifyMfa } from './services/mfa.service';
import { confirmEmailChange, requestEmailChange } from './services/email-change.service';
import { deleteUser, getUser, getUsers, listUsers, setUserDisabled, updateUser } from './services/users.service';
import * as sessionAccess from './services/session-access.service';
import { changeMyPassword, updateMyProfile } from './services/account.service';
import { listSigningKeys, refreshTokens, rotateSigningKeyNow } from './tokens/keys.service';
import { oidcSchema, applicationsRouter, OidcEvents, createApplication, listApplications, getApplication, updateApplication, rotateApplicationSecret, revokeApplication, listMyConsents, revokeMyConsent } from './oidc';

import { createUser, resendVerification, resetUserMfa } from './services/user-admin.service';
import { listUserIdentities } from './social/user-identities.service';
export { authRouter, usersRouter, sessionsRouter, signingKeysRouter } from './router';
export { getUsers } from './services/users.service';
export { authConfig, authConfigSchema, type AuthConfig } from './config';
export { AuthErrors } from './errors';
export { AuthEvents } from './events';
export { authTenantSettings, authSettingsOf, linkSettingsOf, linkBase, buildLink, emailEffect, type LinkSettings } from './services/tenant-settings';
export { signingKeysTask, tokenStateTask, signingKeyProvisioning } from './maintenance';
export { authenticateAccessToken, revokeSessions, revokeUserSessions } from './services/sessions.service';
export { authenticateBrowserSession } from './services/browser-session.service';
export { signOut, currentSession } from './services/session-access.service';
// The sign-in steps, for transports that keep the session in a cookie instead of answering tokens.
export { signIn, signUp, verifyMfa, consumeMagicLink };
export { emailInput, passwordInput, tokenInput } from './auth.schemas';
export { signTenantDocument } from './tokens/documents';
export { startTokenServices, tokenServicesOf, withRevocations, TokenServices, TOKEN_SERVICES } from './tokens/services';
export { REFRESH_TOKEN_PREFIX } from './tokens/refresh';
export { setActiveOrganization, syncSessionOrganization, clearSessionsOrganization } from './services/active-organization';
export { accessTokenShape, tokenResponseShape, type AccessTokenResponse, type SessionTokens } from './tokens/issue';
export { signInCreatedAccount } from './services/session-start';
export { rotateSigningKey, retireExpiredKeys, tenantsDueForRotation, ensureCurrentKey } from './tokens/signing-keys';
export { jwksDocument } from './oauth/jwks-document';
export { discoveryDocument, tokenEndpoint, introspectionEndpoint, revocationEndpoint, revokeSessionById } from './oauth/endpoints';
export type { OAuthResponse } from './oauth/oauth-errors';
export type { FormParams } from './oauth/client-auth';
export { pruneTokenState } from './tokens/maintenance';
export { hashPassword, verifyPassword, hashMetrics, ARGON2_OPTIONS } from './password/hasher';
export { checkPasswordPolicy, normalizePassword } from './password/policy';
export { normalizeEmail, userOutput, signInOutput, type UserDto, type SignInResult } from './auth.schemas';
export { User, Session, AuthToken, TotpFactor, RecoveryCode, MfaChallenge, SigningKey, RefreshToken, TokenRevocation };
export * from './credentials';
export {
  authorize,
  describeInteraction,
  decideInteraction,
  userinfoEndpoint,
  planEndSession,
  activeApplication,
  applicationAllowsOrigin,
  applicationsRouter,
  OidcEvents,
  OidcErrors,
  type BrowserSession,
  type AuthorizeOutcome,
  type InteractionAnswer,
  type EndSessionPlan,
} from './oidc';
export { passkeysRouter, PasskeyEvents, PasskeyErrors, Passkey, relyingPartyOf, passkeySignInOptions, passkeySignIn, passkeyMfaOptions, verifyPasskeyMfa } from './passkeys';
export { connectionsRouter, identitiesRouter, SocialEvents, SocialErrors, startSocialSignIn, finishSocialSignIn, listSignInConnections, type SocialOutcome } from './social';
export { prepareInvitedUser, createInvitedUser, type PreparedInvitedUser } from './services/invited-user';

/** Applies this process's auth settings (hash concurrency) once the config is loaded. */
export function configureAuth(config: Config): void {
  const c = authConfig(config);
  configureHashing(c.AUTH_HASH_CONCURRENCY, c.AUTH_HASH_QUEUE_MAX);
}

export const authSchema: ModuleSchema = {
  entities: [User, Session, AuthToken, TotpFactor, RecoveryCode, MfaChallenge, SigningKey, RefreshToken, TokenRevocation, ...credentialsSchema.entities, ...oidcSchema.entities, ...passkeysSchema.entities, ...socialSchema.entities],
  // In name (= application) order.
  migrations: [...authMigrations, ...credentialsSchema.migrations, ...tokenMigrations, ...oidcSchema.migrations, ...passkeysSchema.migrations, ...socialSchema.migrations, ...emailChangeMigrations],
};

export const authModule = defineModule({
  name: 'auth',
  routers: { auth: authRouter, users: usersRouter, sessions: sessionsRouter, signingKeys: signingKeysRouter, apiKeys: apiKeysRouter, clients: clientsRouter, applications: applicationsRouter, passkeys: passkeysRouter, connections: connectionsRouter, identities: identitiesRouter },
  schema: authSchema,
  events: [AuthEvents, CredentialEvents, OidcEvents, PasskeyEvents, SocialEvents],
  permissions: SOCIAL_PERMISSIONS,
  config: authConfigSchema,
  tenantSettings: authTenantSettings,
  services: {
    signUp,
    signIn,
    verifyEmail,
    requestPasswordReset,
    resetPassword,
    requestMagicLink,
    consumeMagicLink,
    enrollTotp,
    confirmTotp,
    disableTotp,
    regenerateRecoveryCodes,
    verifyMfa,
    refreshTokens,
    listUsers,
    getUser,
    getUsers,
    updateUser,
    setUserDisabled,
    deleteUser,
    createUser,
    resetUserMfa,
    resendVerification,
    listUserIdentities,
    ...sessionAccess,
    updateMyProfile,
    changeMyPassword,
    requestEmailChange,
    confirmEmailChange,
    listSigningKeys,
    rotateSigningKeyNow,
    createApiKey,
    listApiKeys,
    revokeApiKey,
    createClient,
    listClients,
    revokeClient,
    createApplication,
    listApplications,
    getApplication,
    updateApplication,
    rotateApplicationSecret,
    revokeApplication,
    listMyConsents,
    revokeMyConsent,
    passkeyRegistrationOptions,
    registerPasskey,
    passkeySignInOptions,
    passkeySignIn,
    passkeyMfaOptions,
    verifyPasskeyMfa,
    listMyPasskeys,
    renamePasskey,
    deletePasskey,
    listUserPasskeys,
    deleteUserPasskey,
    createConnection,
    listConnections,
    updateConnection,
    deleteConnection,
    listSignInConnections,
    listMyIdentities,
    unlinkIdentity,
    startSocialSignIn,
    finishSocialSignIn,
  },
  consumers: [signingKeyProvisioning],
  maintenance: [signingKeysTask, tokenStateTask],
  /** Signing keys, the access-token verifier and the revocation list of this process. */
  start({ orm, config, redis, logger, services }) {
    configureAuth(config);
    services.set(TOKEN_SERVICES, startTokenServices({ orm, config, redis, logger }));
  },
});
