import { Migration } from '@plinto/kernel';

export class Migration20261122000400AuthzPolicies extends Migration {
  override async up(): Promise<void> {
    // Per tenant: the policy version (bumped by every change, under this row's lock, so versions
    // are totally ordered per tenant), the default-roles catalog hash, and the settings.
    this.addSql(`
      create table authz_tenant_state (
        tenant_id uuid primary key references tenants (id) on delete cascade,
        version bigint not null default 0,
        catalog_hash text,
        settings jsonb not null default '{}'::jsonb,
        updated_at timestamptz not null default now()
      )`);
    // The Casbin adapter's table: one row per p/g line, v6 names the source policy or role.
    this.addSql(`
      create table authz_rules (
        id bigint generated always as identity primary key,
        tenant_id uuid not null,
        ptype text not null,
        v0 text not null default '',
        v1 text not null default '',
        v2 text not null default '',
        v3 text not null default '',
        v4 text not null default '',
        v5 text not null default '',
        v6 text not null default ''
      )`);
    this.addSql('create index authz_rules_tenant on authz_rules (tenant_id, ptype)');
    this.addSql(`create index authz_rules_source on authz_rules (tenant_id, v6) where ptype = 'p'`);
    this.addSql(`create index authz_rules_grouping on authz_rules (tenant_id, v0, v1, v2) where ptype = 'g'`);
    this.addSql(`
      create table authz_policies (
        id uuid primary key,
        tenant_id uuid not null,
        name text not null,
        description text,
        effect text not null check (effect in ('allow', 'deny')),
        priority integer not null default 0,
        subjects jsonb not null,
        actions jsonb not null,
        resources jsonb not null,
        organization_id uuid,
        conditions jsonb,
        revision integer not null default 1,
        policy_version bigint not null default 0,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )`);
    this.addSql('create index authz_policies_tenant_id on authz_policies (tenant_id, id desc)');
    this.addSql(`
      create table authz_roles (
        id uuid primary key,
        tenant_id uuid not null,
        name text not null,
        description text,
        permissions jsonb not null default '[]'::jsonb,
        parents jsonb not null default '[]'::jsonb,
        organization_id uuid,
        builtin boolean not null default false,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )`);
    this.addSql(`create unique index authz_roles_name on authz_roles (tenant_id, coalesce(organization_id, '00000000-0000-0000-0000-000000000000'::uuid), name)`);
    this.addSql('create index authz_roles_tenant_id on authz_roles (tenant_id, id desc)');
    this.addSql(`
      create table authz_role_assignments (
        id uuid primary key,
        tenant_id uuid not null,
        role_id uuid not null references authz_roles (id) on delete cascade,
        subject text not null,
        organization_id uuid,
        created_at timestamptz not null default now()
      )`);
    this.addSql(`create unique index authz_role_assignments_unique on authz_role_assignments (role_id, subject, coalesce(organization_id, '00000000-0000-0000-0000-000000000000'::uuid))`);
    this.addSql(`
      create table authz_decisions (
        id uuid primary key,
        tenant_id uuid not null,
        subject text not null,
        action text not null,
        resource text not null,
        organization_id uuid,
        allow boolean not null,
        source text,
        decided_by text not null,
        reason text not null,
        policy_version bigint not null,
        input jsonb not null,
        occurred_at timestamptz not null default now()
      )`);
    this.addSql('create index authz_decisions_tenant_id on authz_decisions (tenant_id, id desc)');
  }

  override async down(): Promise<void> {
    for (const table of ['authz_decisions', 'authz_role_assignments', 'authz_roles', 'authz_policies', 'authz_rules', 'authz_tenant_state']) {
      this.addSql(`drop table ${table}`);
    }
  }
}

export const authzMigrations = [{ name: 'Migration20261122000400_authz_policies', class: Migration20261122000400AuthzPolicies }];
