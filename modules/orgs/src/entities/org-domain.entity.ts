import { defineEntity, p } from '@mikro-orm/core';

/**
 * A domain an organization claims. It means nothing until verified (`verifiedAt`), which a tenant
 * owner asserts (`domains:verify`): a DNS TXT check needs the internet, which this platform does
 * not assume. A verified domain with `autoJoin` makes people provisioned through an identity
 * provider that vouches for an address at it members, with `role` (null: the organization's
 * default role). One organization per verified domain in a tenant.
 */
export const OrganizationDomain = defineEntity({
  name: 'OrganizationDomain',
  tableName: 'organization_domains',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.uuid(),
    organizationId: p.uuid(),
    domain: p.string(),
    autoJoin: p.boolean(),
    role: p.string().nullable(),
    verifiedAt: p.datetime().nullable(),
    verifiedBy: p.string().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});
