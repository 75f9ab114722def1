/**
 * Sign-in through external identity providers: per-tenant connections (Google, GitHub, Microsoft
 * presets and any OpenID Connect issuer), authorization code with PKCE, state bound to the browser
 * and nonce, ID tokens verified against the provider's JWKS, the linking rules, linked identities.
 * The browser redirects (start, callback) are the api's (`api/src/http/social-routes.ts`); they
 * call `startSocialSignIn` / `finishSocialSignIn` with a service context.
 */
import { router, type ModuleSchema } from '@plinto/kernel';
import { ExternalIdentity, SocialConnection } from './entities';
import { socialMigrations } from './migrations';
import { createConnectionProcedure, deleteConnectionProcedure, listConnectionsProcedure, listIdentitiesProcedure, unlinkIdentityProcedure, updateConnectionProcedure } from './procedures';

export { SocialEvents } from './events';
export { SocialErrors } from './errors';
export { SocialConnection, ExternalIdentity };
export { createConnection, listConnections, updateConnection, deleteConnection, listSignInConnections } from './connections.service';
export { listMyIdentities, unlinkIdentity } from './identities.service';
export { startSocialSignIn, finishSocialSignIn, type SocialOutcome } from './flow.service';
export { signInConnectionsProcedure } from './procedures';

export const connectionsRouter = router({
  create: createConnectionProcedure,
  list: listConnectionsProcedure,
  update: updateConnectionProcedure,
  delete: deleteConnectionProcedure,
});

export const identitiesRouter = router({
  list: listIdentitiesProcedure,
  unlink: unlinkIdentityProcedure,
});

export const socialSchema: ModuleSchema = { entities: [SocialConnection, ExternalIdentity], migrations: socialMigrations };

export const SOCIAL_PERMISSIONS = [
  { permission: 'connections:read', minimumRole: 'viewer' as const, description: "Read the tenant's sign-in connections (never their secrets)" },
  { permission: 'connections:write', minimumRole: 'owner' as const, description: 'Add, change and remove sign-in connections (identity providers)' },
];
