import type { Principal } from '@plinto/kernel';
import { ROLE_NAME } from '../schemas';

/** What a decision is asked about: the principal's own subject and the roles its credential carries. */
export interface PrincipalSubject {
  subject: string;
  /** `role:<name>` the credential itself holds in the request's domain (not assignments). */
  roles?: string[];
}

const CREDENTIAL_SUBJECT_PREFIX = { api_key: 'api_key', machine_client: 'client' } as const;

/**
 * Users are decided by their assignments (`user:<id>` links). API keys and machine clients carry
 * their roles on the credential (`attributes.roles`), scoped to the credential's organization when
 * it has one (`attributes.organizationId`): there they hold in that organization's domain only,
 * so an organization's key is refused tenant-wide; otherwise they hold tenant-wide, as a `*` link.
 */
export function principalSubject(principal: Principal, domain: string): PrincipalSubject {
  if (principal.kind !== 'api_key' && principal.kind !== 'machine_client') return { subject: `user:${principal.id}` };
  const subject = `${CREDENTIAL_SUBJECT_PREFIX[principal.kind]}:${principal.id}`;
  const organizationId = principal.attributes.organizationId;
  if (typeof organizationId === 'string' && organizationId !== domain) return { subject, roles: [] };
  const names = Array.isArray(principal.attributes.roles) ? principal.attributes.roles : [];
  const roles = names.filter((name): name is string => typeof name === 'string' && ROLE_NAME.test(name)).map((name) => `role:${name}`);
  return { subject, roles: [...new Set(roles)].sort() };
}
