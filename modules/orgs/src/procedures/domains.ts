import { z } from 'zod';
import { procedure } from '@plinto/kernel';
import { addDomain, listDomains, removeDomain, updateDomain, verifyDomain } from '../domains.service';
import { domainName, domainOutput, orgIdParam, roleName } from '../schemas';
import { TAGS } from './tags';

const byOrg = z.object({ orgId: orgIdParam });
const byDomain = byOrg.extend({ domainId: z.uuid().describe('The domain id') });
const joinRole = roleName.nullable().optional().describe("The role of people who join through the domain (null: the organization's default role)");

export const listDomainsProcedure = procedure
  .meta({ permission: 'organizations:read', openapi: { method: 'GET', path: '/orgs/{orgId}/domains', tags: TAGS, summary: "An organization's domains, verified or not", protect: true } })
  .input(byOrg)
  .output(z.object({ items: z.array(domainOutput) }))
  .query(({ ctx, input }) => listDomains(ctx.sc, input.orgId));

export const addDomainProcedure = procedure
  .meta({
    permission: 'organizations:write',
    openapi: { method: 'POST', path: '/orgs/{orgId}/domains', tags: TAGS, summary: 'Claim a domain for an organization (unverified until a tenant owner verifies it)', protect: true },
    successStatus: 201,
  })
  .input(byOrg.extend({ domain: domainName, autoJoin: z.boolean().optional().describe('Provision people with a vouched address at this domain into the organization (default false)'), role: joinRole }))
  .output(domainOutput)
  .mutation(({ ctx, input: { orgId, ...body } }) => addDomain(ctx.sc, orgId, body));

export const updateDomainProcedure = procedure
  .meta({ permission: 'organizations:write', openapi: { method: 'PATCH', path: '/orgs/{orgId}/domains/{domainId}', tags: TAGS, summary: "Change a domain's auto-join setting or role", protect: true } })
  .input(byDomain.extend({ autoJoin: z.boolean().optional(), role: joinRole }))
  .output(domainOutput)
  .mutation(({ ctx, input: { orgId, domainId, ...patch } }) => updateDomain(ctx.sc, orgId, domainId, patch));

export const verifyDomainProcedure = procedure
  .meta({
    permission: 'domains:verify',
    openapi: { method: 'POST', path: '/orgs/{orgId}/domains/{domainId}/verify', tags: TAGS, summary: "Assert an organization's domain verified (tenant owners; no DNS check is made)", protect: true },
  })
  .input(byDomain)
  .output(domainOutput)
  .mutation(({ ctx, input }) => verifyDomain(ctx.sc, input.orgId, input.domainId));

export const removeDomainProcedure = procedure
  .meta({ permission: 'organizations:write', openapi: { method: 'DELETE', path: '/orgs/{orgId}/domains/{domainId}', tags: TAGS, summary: 'Give up a domain (members who joined through it stay)', protect: true } })
  .input(byDomain)
  .output(z.object({ deleted: z.literal(true) }))
  .mutation(({ ctx, input }) => removeDomain(ctx.sc, input.orgId, input.domainId));
