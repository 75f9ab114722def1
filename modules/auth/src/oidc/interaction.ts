import { recordEvent, type EntityManager } from '@plinto/kernel';
import { tokenServicesOf } from '../tokens/services';
import type { OAuthDeps } from '../oauth/endpoints';
import { userActor } from '../services/deps';
import { Application } from './entities';
import { issueCode, redirectWith, type AuthorizationRequest, type BrowserSession } from './authorize';
import { OidcEvents } from './events';
import { SCOPES } from './scopes';

interface InteractionRow {
  id: string;
  application_id: string;
  user_id: string;
  request: AuthorizationRequest & { authTime: string; amr: string[] };
  expires_at: string;
  decided_at: string | null;
}

export type InteractionAnswer = { status: 200; body: unknown } | { status: 404; body: { error: 'interaction_not_found'; error_description: string } };

const notFound: InteractionAnswer = { status: 404, body: { error: 'interaction_not_found', error_description: 'No such pending consent for this user (expired, decided, or another user’s)' } };

/** A pending interaction of this user (the browser session's), not expired nor decided. */
async function pending(em: EntityManager, tenantId: string, id: string, session: BrowserSession | null, lock = false): Promise<InteractionRow | null> {
  if (!session) return null;
  const [row] = await em.execute<InteractionRow[]>(
    `select id, application_id, user_id, request, expires_at, decided_at from oidc_interactions
      where id = ? and tenant_id = ? and user_id = ? and decided_at is null and expires_at > now()${lock ? ' for update' : ''}`,
    [id, tenantId, session.userId],
  );
  return row ?? null;
}

/** GET /oauth/interaction/{id}: what the consent page shows. */
export async function describeInteraction(deps: OAuthDeps, id: string, session: BrowserSession | null): Promise<InteractionAnswer> {
  const row = await pending(deps.em, deps.tenant.id, id, session);
  if (!row) return notFound;
  const app = await deps.em.findOneOrFail(Application, { id: row.application_id });
  const [user] = await deps.em.execute<{ email: string }[]>('select email from users where id = ?', [row.user_id]);
  return {
    status: 200,
    body: {
      client: { name: app.name, ...(app.logoUri ? { logoUri: app.logoUri } : {}) },
      scopes: row.request.scope.map((name) => ({ name, description: SCOPES[name]?.description ?? name })),
      user: { email: user?.email ?? '' },
    },
  };
}

/**
 * POST /oauth/interaction/{id} `{decision}`: allow remembers the consent and issues the code; deny
 * answers the client with access_denied. Either way the interaction is spent.
 */
export async function decideInteraction(deps: OAuthDeps, id: string, session: BrowserSession | null, decision: 'allow' | 'deny'): Promise<InteractionAnswer> {
  const issuer = tokenServicesOf(deps).issuer(deps.tenant.slug);
  return deps.em.transactional(async (tx) => {
    const row = await pending(tx, deps.tenant.id, id, session, true);
    if (!row) return notFound;
    await tx.execute('update oidc_interactions set decided_at = now() where id = ?', [row.id]);
    const app = await tx.findOne(Application, { id: row.application_id, revokedAt: null });
    if (!app) return notFound;
    const request = row.request;
    if (decision === 'deny') {
      const outcome = redirectWith(request.redirectUri, issuer, { error: 'access_denied', error_description: 'The user denied the request', state: request.state });
      return { status: 200, body: { redirectTo: outcome.kind === 'redirect' ? outcome.location : request.redirectUri } };
    }
    await tx.execute(
      `insert into oidc_consents (user_id, application_id, tenant_id, scopes) values (?, ?, ?, ?)
       on conflict (user_id, application_id) do update set scopes = (select jsonb_agg(distinct s) from jsonb_array_elements_text(oidc_consents.scopes || excluded.scopes) s), granted_at = now()`,
      [row.user_id, app.id, deps.tenant.id, JSON.stringify(request.scope)],
    );
    recordEvent(tx, userActor(deps.request, row.user_id), OidcEvents.of('consent.granted', {
      tenantId: deps.tenant.id,
      target: { type: 'application', id: app.id },
      data: { name: app.name, clientId: app.clientId, userId: row.user_id, scopes: request.scope },
    }));
    await tx.flush();
    const code = await issueCode(tx, deps.tenant.id, app, row.user_id, request, new Date(request.authTime), request.amr);
    const outcome = redirectWith(request.redirectUri, issuer, { code, state: request.state });
    return { status: 200, body: { redirectTo: outcome.kind === 'redirect' ? outcome.location : request.redirectUri } };
  });
}
