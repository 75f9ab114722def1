import type { PolicyConditions } from './conditions.js';
import type { GroupingLine, PolicyLine } from './model.js';

/** The JWS `typ` of a policy bundle: never an access token (`at+jwt`), so neither passes for the other. */
export const POLICY_BUNDLE_TYPE = 'plinto-policy-bundle+jwt';

/**
 * The payload of a signed policy bundle (`GET /t/{tenant}/authz/bundle`): one tenant's compiled
 * policy at one version — its Casbin lines and the conditions of its conditional policies —
 * signed with the tenant's access-token signing key (its JWKS verifies it).
 */
export interface PolicyBundlePayload {
  /** The tenant's issuer, `{PUBLIC_URL}/t/{slug}`. */
  iss: string;
  /** The tenant's id. */
  tid: string;
  /** The policy version (`policies.version`); a newer bundle has a higher one. */
  ver: number;
  iat: number;
  /** After this (seconds since the epoch) the bundle is refused: fetch a new one. */
  exp: number;
  /** `p` lines: [subject, domain, resource, action, effect, rank, source]. */
  p: PolicyLine[];
  /** `g` lines: [child, parent, domain]. */
  g: GroupingLine[];
  /** Conditions by source (`policy:<id>`), for conditional policies only. */
  conditions: Record<string, PolicyConditions>;
  /**
   * The tenant delegates its application's permissions to its OPA server: the edge cannot decide
   * those (it refuses to; Plinto's own permissions are still decided here).
   */
  delegated: boolean;
  /** Namespaces of Plinto's own permissions (`users`, `policies`, …: never delegated). Sent when `delegated`. */
  plintoNamespaces?: string[];
}
