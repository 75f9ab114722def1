import { Migration } from '@plinto/kernel';

export class Migration20261122001000Orgs extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table organizations (
        id uuid primary key,
        tenant_id uuid not null references tenants (id) on delete cascade,
        slug text not null,
        name text not null,
        settings jsonb not null default '{}'::jsonb,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )`);
    this.addSql('create unique index organizations_tenant_slug on organizations (tenant_id, slug)');
    this.addSql('create index organizations_tenant_id on organizations (tenant_id, id desc)');
    this.addSql(`
      create table organization_members (
        id uuid primary key,
        tenant_id uuid not null,
        organization_id uuid not null references organizations (id) on delete cascade,
        user_id uuid not null references users (id) on delete cascade,
        role text not null,
        via text not null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )`);
    // One membership per user and organization; concurrent adds of the same user meet here.
    this.addSql('create unique index organization_members_org_user on organization_members (organization_id, user_id)');
    this.addSql('create index organization_members_org_id on organization_members (organization_id, id desc)');
    // "My organizations" and the owner count.
    this.addSql('create index organization_members_user on organization_members (user_id, organization_id)');
    this.addSql('create index organization_members_org_role on organization_members (organization_id, role)');
    this.addSql(`
      create table teams (
        id uuid primary key,
        tenant_id uuid not null,
        organization_id uuid not null references organizations (id) on delete cascade,
        parent_id uuid references teams (id),
        name text not null,
        description text,
        roles jsonb not null default '[]'::jsonb,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        constraint teams_not_own_parent check (parent_id is null or parent_id <> id)
      )`);
    this.addSql(`create unique index teams_name on teams (organization_id, coalesce(parent_id, '00000000-0000-0000-0000-000000000000'::uuid), lower(name))`);
    this.addSql('create index teams_org_id on teams (organization_id, id desc)');
    this.addSql('create index teams_parent on teams (parent_id)');
    this.addSql(`
      create table team_members (
        id uuid primary key,
        tenant_id uuid not null,
        organization_id uuid not null,
        team_id uuid not null references teams (id) on delete cascade,
        user_id uuid not null,
        created_at timestamptz not null default now(),
        -- A team member is a member of the organization: leaving it leaves its teams.
        foreign key (organization_id, user_id) references organization_members (organization_id, user_id) on delete cascade
      )`);
    this.addSql('create unique index team_members_team_user on team_members (team_id, user_id)');
    this.addSql('create index team_members_team_id on team_members (team_id, id desc)');
    this.addSql('create index team_members_org_user on team_members (organization_id, user_id)');
  }

  override async down(): Promise<void> {
    for (const table of ['team_members', 'teams', 'organization_members', 'organizations']) this.addSql(`drop table ${table}`);
  }
}

/**
 * Organization-owned API keys, machine clients and webhook endpoints (tables of @plinto/auth and
 * @plinto/webhooks, which cannot depend on this module) must name an organization of their own
 * tenant, and go with it when it is deleted.
 * NOT VALID: rows written before organizations existed are left as they are; new rows are checked.
 */
export class Migration20261122001050OrgsCredentialOwners extends Migration {
  override async up(): Promise<void> {
    this.addSql('create unique index organizations_tenant_id_id on organizations (tenant_id, id)');
    for (const table of ['api_keys', 'machine_clients', 'webhook_endpoints']) {
      this.addSql(
        `alter table ${table} add constraint ${table}_organization_fk foreign key (tenant_id, organization_id)
           references organizations (tenant_id, id) on delete cascade not valid`,
      );
    }
  }

  override async down(): Promise<void> {
    for (const table of ['api_keys', 'machine_clients', 'webhook_endpoints']) this.addSql(`alter table ${table} drop constraint ${table}_organization_fk`);
    this.addSql('drop index organizations_tenant_id_id');
  }
}

/** Domains an organization claims; verified ones provision members (see org-domain.entity.ts). */
export class Migration20261206002000OrgsDomains extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table organization_domains (
        id uuid primary key,
        tenant_id uuid not null,
        organization_id uuid not null,
        domain text not null,
        auto_join boolean not null default false,
        role text,
        verified_at timestamptz,
        verified_by text,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        foreign key (tenant_id, organization_id) references organizations (tenant_id, id) on delete cascade
      )`);
    this.addSql('create unique index organization_domains_org_domain on organization_domains (organization_id, domain)');
    // A domain is verified for one organization of a tenant at most; unverified claims do not block.
    this.addSql('create unique index organization_domains_verified on organization_domains (tenant_id, domain) where verified_at is not null');
  }

  override async down(): Promise<void> {
    this.addSql('drop table organization_domains');
  }
}

export const orgsMigrations = [
  { name: 'Migration20261122001000_orgs', class: Migration20261122001000Orgs },
  { name: 'Migration20261122001050_orgs_credential_owners', class: Migration20261122001050OrgsCredentialOwners },
  { name: 'Migration20261206002000_orgs_domains', class: Migration20261206002000OrgsDomains },
];
