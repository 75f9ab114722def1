import { describe, expect, it } from 'vitest';
import { slugify } from '../src/orgs.service';
import { DEFAULT_SETTINGS, orgSettingsSchema, orgSlug } from '../src/schemas';
import { MAX_TEAM_DEPTH, memberRoleLink, subTeamLink } from '../src/authz-links';

describe('organization slugs', () => {
  it('derives a slug from a name', () => {
    expect(slugify('Acme Inc.')).toBe('acme-inc');
    expect(slugify('  Crème Brûlée & Co  ')).toBe('creme-brulee-co');
    expect(slugify('日本')).toBe('');
    expect(slugify('x'.repeat(80))).toHaveLength(63);
  });

  it('accepts lowercase letters, digits and inner hyphens only', () => {
    expect(orgSlug.parse(' Acme ')).toBe('acme');
    for (const bad of ['-acme', 'acme-', 'ac_me', 'a'.repeat(64), '']) expect(orgSlug.safeParse(bad).success, bad).toBe(false);
  });
});

describe('organization settings', () => {
  it('defaults', () => {
    expect(DEFAULT_SETTINGS).toEqual({ metadata: {}, allowedEmailDomains: [], requireMfa: false, defaultRole: 'member', memberLimit: null });
  });

  it('normalises domains and bounds metadata', () => {
    expect(orgSettingsSchema.parse({ allowedEmailDomains: [' Example.COM '] }).allowedEmailDomains).toEqual(['example.com']);
    expect(orgSettingsSchema.safeParse({ metadata: { big: 'x'.repeat(9000) } }).success).toBe(false);
    expect(orgSettingsSchema.safeParse({ defaultRole: 'Not A Role' }).success).toBe(false);
  });
});

describe('authorization links', () => {
  it('are written in the organization domain', () => {
    expect(memberRoleLink('o', 'u', 'admin')).toEqual({ child: 'user:u', parent: 'role:admin', organizationId: 'o' });
    expect(subTeamLink('o', 'child', 'parent')).toEqual({ child: 'team:child', parent: 'team:parent', organizationId: 'o' });
  });

  it('keep the longest chain (user, teams, role, three inherited default roles) within the engine’s 10 hops', () => {
    expect(1 + (MAX_TEAM_DEPTH - 1) + 1 + 3).toBeLessThanOrEqual(10);
  });
});
