import { ACCESS_TOKEN_ALGORITHMS, DEFAULT_CLOCK_TOLERANCE_SECONDS, FORBIDDEN_HEADERS, decodeToken, issuerPrefixOf, type AccessTokenAlgorithm } from '../token-rules.js';
import { JwksCache, verifyParamsOf } from '../verify/jwks.js';
import { CompiledPolicy, type Decision } from './compiled.js';
import { compileConditions, type CompiledConditions } from './conditions.js';
import { contextOf, type EvaluationInput } from './context.js';
import { POLICY_BUNDLE_TYPE, type PolicyBundlePayload } from './bundle-format.js';
import { TENANT_WIDE } from './model.js';

export type BundleRejection = 'malformed' | 'algorithm' | 'header' | 'type' | 'unknown_key' | 'signature' | 'tenant' | 'expired' | 'rollback';

/** A policy bundle that must not be used: tampered, expired, another tenant's, older than one held. */
export class PolicyBundleRejected extends Error {
  override name = 'PolicyBundleRejected';
  constructor(
    readonly reason: BundleRejection,
    message: string,
  ) {
    super(message);
  }
}

const refuse = (reason: BundleRejection, message: string): never => {
  throw new PolicyBundleRejected(reason, message);
};

export interface VerifyBundleOptions {
  /** Plinto's PUBLIC_URL: the bundle's issuer must be `{publicUrl}/t/{tenant}`. */
  publicUrl: string;
  /** The tenant (slug) whose bundle this must be. */
  tenant: string;
  /** Where keys are fetched from when it differs from the issuer. */
  jwksBaseUrl?: string;
  jwks: JwksCache;
  clockToleranceSeconds?: number;
  now?: () => number;
}

/** A bundle whose signature, issuer and lifetime were checked, compiled for decisions. */
export interface VerifiedBundle {
  payload: PolicyBundlePayload;
  policy: CompiledPolicy;
  /** When it is refused (ms since the epoch). */
  expiresAt: number;
}

/**
 * Verifies a signed policy bundle (compact JWS) with WebCrypto against the tenant's JWK Set: an
 * accepted algorithm and no self-named key headers, `typ` plinto-policy-bundle+jwt (an access token
 * is not a bundle), a valid signature by one of *this* tenant's keys, this tenant as issuer, and
 * not expired. Throws PolicyBundleRejected otherwise.
 */
export async function verifyPolicyBundle(jws: string, options: VerifyBundleOptions): Promise<VerifiedBundle> {
  let decoded: ReturnType<typeof decodeToken>;
  try {
    decoded = decodeToken(jws);
  } catch {
    return refuse('malformed', 'The bundle is not a compact JWS');
  }
  const { header, payload } = decoded;
  if (!ACCESS_TOKEN_ALGORITHMS.includes(header.alg as AccessTokenAlgorithm)) refuse('algorithm', 'The bundle algorithm is not accepted');
  for (const name of FORBIDDEN_HEADERS) if (name in header) refuse('header', `The bundle header may not carry "${name}"`);
  if (header.typ !== POLICY_BUNDLE_TYPE) refuse('type', `The JWS is not a policy bundle (typ ${POLICY_BUNDLE_TYPE})`);
  if (typeof header.kid !== 'string' || !header.kid) refuse('header', 'The bundle names no key');
  const slug = options.tenant.toLowerCase();
  const issuer = `${issuerPrefixOf(options.publicUrl)}${slug}`;
  // The tenant is checked before any key is fetched: another tenant's bundle never reaches a key.
  if (payload.iss !== issuer) refuse('tenant', 'The bundle belongs to another tenant');
  const keysOf = `${options.jwksBaseUrl ? issuerPrefixOf(options.jwksBaseUrl) : issuerPrefixOf(options.publicUrl)}${slug}`;
  let key;
  try {
    key = await options.jwks.key(keysOf, header.kid as string);
  } catch {
    return refuse('unknown_key', "The bundle's key is not one of its tenant's keys");
  }
  if (key.alg !== header.alg) refuse('algorithm', 'The bundle algorithm does not match its key');
  let valid: boolean;
  try {
    valid = await crypto.subtle.verify(verifyParamsOf(key.alg), key.key, decoded.signature as Uint8Array<ArrayBuffer>, new TextEncoder().encode(decoded.signingInput));
  } catch {
    valid = false;
  }
  if (!valid) refuse('signature', 'The bundle signature is not valid');
  const bundle = payload as unknown as PolicyBundlePayload;
  if (typeof bundle.exp !== 'number' || typeof bundle.ver !== 'number' || !Array.isArray(bundle.p) || !Array.isArray(bundle.g)) refuse('malformed', 'The bundle payload is not valid');
  const now = (options.now ?? Date.now)() / 1000;
  if (bundle.exp + (options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS) <= now) refuse('expired', 'The bundle has expired');
  return { payload: bundle, policy: compileBundle(bundle), expiresAt: bundle.exp * 1000 };
}

/** The compiled index of a bundle's lines, exactly as the server builds its own. */
export function compileBundle(bundle: PolicyBundlePayload): CompiledPolicy {
  const conditions = new Map<string, CompiledConditions | null>(Object.entries(bundle.conditions ?? {}).map(([source, c]) => [source, compileConditions(c)]));
  return new CompiledPolicy(bundle.ver, bundle.p, bundle.g, (source) => conditions.get(source) ?? null);
}

/** What `POST /v1/policies/evaluate` answers in `result`, plus the version decided on. */
export interface EdgeDecision {
  allow: boolean;
  policyId: string | null;
  roleId: string | null;
  reason: string;
  policyVersion: number;
}

export class DelegatedDecision extends Error {
  override name = 'DelegatedDecision';
  constructor(action: string) {
    super(`The tenant delegates "${action}" to its OPA server: decide it with the evaluate API`);
  }
}

/** One decision on a verified bundle, with the server's semantics (its code, in fact). */
export function decideOnBundle(bundle: VerifiedBundle, input: EvaluationInput): EdgeDecision {
  const { payload } = bundle;
  if (payload.delegated) {
    const colon = input.action.indexOf(':');
    const namespace = colon >= 0 ? input.action.slice(0, colon) : input.action;
    if (!(payload.plintoNamespaces ?? []).includes(namespace)) throw new DelegatedDecision(input.action);
  }
  const request = { subject: input.subject, domain: input.context?.organizationId ?? TENANT_WIDE, action: input.action, resource: input.resource };
  const decision: Decision = bundle.policy.decide(request, () => contextOf(input));
  const source = decision.source;
  return {
    allow: decision.allow,
    policyId: source?.startsWith('policy:') ? source.slice(7) : null,
    roleId: source?.startsWith('role:') ? source.slice(5) : null,
    reason: decision.reason,
    policyVersion: payload.ver,
  };
}
