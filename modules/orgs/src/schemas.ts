import { z } from 'zod';

/**
 * Request and response shapes of organizations, members and teams. Role names follow the authz
 * module's rule (lowercase, digits, `_` and `-`); whether a role exists is checked against the
 * roles visible in the organization (tenant-wide ones and the organization's own).
 */
export const ORG_SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const ROLE_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
export const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export const roleName = z.string().regex(ROLE_NAME, 'A role name: lowercase letters, digits, _ and -, 1-63 characters');
export const orgSlug = z.string().trim().toLowerCase().regex(ORG_SLUG, 'Lowercase letters, digits and inner hyphens, 1-63 characters');
export const orgIdParam = z.uuid().describe('The organization id');
export const teamIdParam = z.uuid().describe('The team id');
export const userIdParam = z.uuid().describe('The user id');

const metadata = z
  .record(z.string().min(1).max(64), z.unknown())
  .refine((m) => Object.keys(m).length <= 50, 'At most 50 keys')
  .refine((m) => JSON.stringify(m).length <= 8192, 'At most 8 KiB of JSON')
  .describe('Free-form data for your own application');

export const orgSettingsSchema = z
  .object({
    metadata: metadata.default({}),
    allowedEmailDomains: z
      .array(z.string().trim().toLowerCase().regex(DOMAIN, 'A domain name such as example.com'))
      .max(50)
      .default([])
      .describe('When not empty, only users with an email at one of these domains can become members'),
    requireMfa: z.boolean().default(false).describe('Members must have signed in with a second factor to act in the organization'),
    defaultRole: roleName.default('member').describe('The role of new members when none is given'),
    memberLimit: z.number().int().min(1).max(1_000_000).nullable().default(null).describe('Most members; null for no limit'),
  })
  .meta({ id: 'OrganizationSettings' });

export type OrgSettings = z.infer<typeof orgSettingsSchema>;
export const DEFAULT_SETTINGS: OrgSettings = orgSettingsSchema.parse({});

/** A partial settings change: absent keys keep their value. */
export const orgSettingsPatch = z.object({
  metadata: metadata.optional(),
  allowedEmailDomains: orgSettingsSchema.shape.allowedEmailDomains.unwrap().optional(),
  requireMfa: z.boolean().optional(),
  defaultRole: roleName.optional(),
  memberLimit: z.number().int().min(1).max(1_000_000).nullable().optional(),
});

export const orgOutput = z
  .object({
    id: z.uuid(),
    tenantId: z.uuid(),
    slug: z.string(),
    name: z.string(),
    settings: orgSettingsSchema,
    memberCount: z.number().int(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Organization' });
export type OrgDto = z.infer<typeof orgOutput>;

export const orgListItem = orgOutput
  .omit({ memberCount: true })
  .extend({ role: z.string().nullable().describe("The caller's role in it; null when the caller is not a member") })
  .meta({ id: 'OrganizationListItem' });
export type OrgListItemDto = z.infer<typeof orgListItem>;

export const memberOutput = z
  .object({
    organizationId: z.uuid(),
    userId: z.uuid(),
    email: z.string(),
    displayName: z.string().nullable(),
    role: z.string(),
    via: z.string().describe('How the user joined: created, added, invitation, ...'),
    joinedAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'OrganizationMember' });
export type MemberDto = z.infer<typeof memberOutput>;

export const teamOutput = z
  .object({
    id: z.uuid(),
    organizationId: z.uuid(),
    parentId: z.uuid().nullable().describe('The parent team; its roles apply to this team too'),
    name: z.string(),
    description: z.string().nullable(),
    roles: z.array(z.string()).describe("Roles every member of this team (and of its sub-teams) holds in the organization"),
    memberCount: z.number().int(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Team' });
export type TeamDto = z.infer<typeof teamOutput>;

export const teamMemberOutput = z
  .object({
    teamId: z.uuid(),
    userId: z.uuid(),
    email: z.string(),
    displayName: z.string().nullable(),
    addedAt: z.iso.datetime(),
  })
  .meta({ id: 'TeamMember' });
export type TeamMemberDto = z.infer<typeof teamMemberOutput>;

export const teamName = z.string().trim().min(1).max(100);
export const teamRoles = z.array(roleName).max(20);

export const domainName = z.string().trim().toLowerCase().regex(DOMAIN, 'A domain name such as example.com');

export const domainOutput = z
  .object({
    id: z.uuid(),
    organizationId: z.uuid(),
    domain: z.string(),
    verified: z.boolean().describe('Asserted by a tenant owner (domains:verify); until then the domain does nothing'),
    verifiedAt: z.iso.datetime().nullable(),
    autoJoin: z.boolean().describe('People provisioned through an identity provider that vouches for an address at this domain join the organization'),
    role: roleName.nullable().describe("Their role (null: the organization's default role)"),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'OrganizationDomain' });
export type DomainDto = z.infer<typeof domainOutput>;
