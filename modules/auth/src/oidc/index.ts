/**
 * The OpenID Connect provider: applications (clients) managed by API, the authorization endpoint
 * with PKCE and consent, the authorization code grant with ID tokens, userinfo and RP-initiated
 * logout. Built on the auth module's own token service (see README "OpenID Connect provider").
 */
import type { ModuleSchema } from '@plinto/kernel';
import { Application } from './entities';
import { oidcMigrations } from './migrations';

export { applicationsRouter } from './router';
export { OidcEvents } from './events';
export { OidcErrors } from './errors';
export { createApplication, listApplications, getApplication, updateApplication, rotateApplicationSecret, revokeApplication, activeApplication, applicationOrigins, type ApplicationRow } from './applications.service';
export { listMyConsents, revokeMyConsent } from './consents.service';
export { authorize, type BrowserSession, type AuthorizeOutcome } from './authorize';
export { describeInteraction, decideInteraction, type InteractionAnswer } from './interaction';
export { userinfoEndpoint } from './userinfo';
export { planEndSession, type EndSessionPlan } from './end-session';
export { Application };

export const oidcSchema: ModuleSchema = { entities: [Application], migrations: oidcMigrations };
