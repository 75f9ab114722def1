import { Router, type Request, type Response } from 'express';
import { AppError, callFacts, isDependencyOutage, type CallFacts, type Logger, type ServiceContext } from '@plinto/kernel';
import { POLICY_BUNDLE_TYPE, policyBundleContent } from '@plinto/authz';
import { signTenantDocument } from '@plinto/auth';
import { sendError } from './error-body';

/**
 * A bundle stays valid this long after it is signed; one process re-signs after half of it, so a
 * bundle it hands out always has at least half an hour left. Policy changes do not wait for this:
 * they change the version, and edge evaluators revalidate every few seconds (If-None-Match).
 */
export const POLICY_BUNDLE_TTL_SECONDS = 3600;

interface Signed {
  ver: number;
  iat: number;
  jws: string;
  etag: string;
}

/**
 * `GET /t/{tenant}/authz/bundle`: the tenant's policy as a signed, versioned bundle (compact JWS,
 * `typ` plinto-policy-bundle+jwt, signed with the tenant's access-token key: its JWKS verifies it)
 * for edge evaluators (@plinto/sdk/policy). Bearer credential of the tenant holding
 * `policies:evaluate` tenant-wide (a machine client, typically). ETag / If-None-Match: 304 while
 * the caller's copy is the one this process would send.
 */
export function policyBundleRoutes(deps: { serviceContextOf: (facts: CallFacts) => Promise<ServiceContext>; logger: Logger }): Router {
  const router = Router({ mergeParams: true });
  const signed = new Map<string, Signed>();

  router.get('/bundle', async (req: Request, res: Response) => {
    try {
      const slug = String(req.params.tenant).toLowerCase();
      const facts = callFacts(req);
      if (!facts.bearer) return sendError(res, 'UNAUTHENTICATED', { message: 'A bearer credential holding policies:evaluate is required' });
      const sc = await deps.serviceContextOf({ ...facts, tenantSlug: slug });
      // The credential decides the tenant; a path naming another one is refused, not answered for the credential's.
      if (sc.tenant.slug !== slug) return sendError(res, 'FORBIDDEN', { message: 'The credential belongs to another tenant' });
      const content = await policyBundleContent(sc);
      const now = Math.floor(Date.now() / 1000);
      let bundle = signed.get(sc.tenant.id);
      if (!bundle || bundle.ver !== content.ver || now - bundle.iat >= POLICY_BUNDLE_TTL_SECONDS / 2) {
        const iss = `${sc.config.PUBLIC_URL.replace(/\/+$/, '')}/t/${sc.tenant.slug}`;
        const { jws, kid } = await signTenantDocument(sc, sc.tenant.id, POLICY_BUNDLE_TYPE, { iss, iat: now, exp: now + POLICY_BUNDLE_TTL_SECONDS, ...content });
        bundle = { ver: content.ver, iat: now, jws, etag: `"${content.ver}.${now}.${kid}"` };
        if (signed.size >= 1000) signed.clear();
        signed.set(sc.tenant.id, bundle);
      }
      res.setHeader('etag', bundle.etag);
      res.setHeader('cache-control', 'private, no-cache');
      res.setHeader('x-plinto-policy-version', String(bundle.ver));
      if (req.headers['if-none-match'] === bundle.etag) return void res.status(304).end();
      res.type('application/jose').send(bundle.jws);
    } catch (error) {
      if (error instanceof AppError) return sendError(res, error.appCode, { message: error.message, fields: error.fields });
      if (isDependencyOutage(error)) return sendError(res, 'SERVICE_UNAVAILABLE');
      deps.logger.error({ err: error, requestId: req.id }, 'policy bundle failed');
      sendError(res, 'INTERNAL');
    }
  });
  return router;
}
