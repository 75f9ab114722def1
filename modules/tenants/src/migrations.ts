import { Migration } from '@plinto/kernel';

export class Migration20261122000200Tenants extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table tenants (
        id uuid primary key,
        slug text not null,
        name text not null,
        status text not null default 'active' check (status in ('active', 'disabled')),
        settings jsonb not null default '{}'::jsonb,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        disabled_at timestamptz,
        constraint tenants_slug_unique unique (slug)
      )`);
    this.addSql(`
      create table platform_api_keys (
        id uuid primary key,
        name text not null,
        prefix text not null,
        key_hash text not null,
        created_at timestamptz not null default now(),
        last_used_at timestamptz,
        revoked_at timestamptz,
        constraint platform_api_keys_key_hash_unique unique (key_hash)
      )`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table platform_api_keys');
    this.addSql('drop table tenants');
  }
}

/** Console sign-ins of platform operators (a platform key exchanged once for a cookie session). */
export class Migration20261206000100PlatformOperatorSessions extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table platform_operator_sessions (
        id uuid primary key,
        key_id uuid not null references platform_api_keys (id) on delete cascade,
        created_at timestamptz not null default now(),
        expires_at timestamptz not null,
        ended_at timestamptz,
        ip text,
        user_agent text
      )`);
    this.addSql('create index platform_operator_sessions_key_id on platform_operator_sessions (key_id)');
  }

  override async down(): Promise<void> {
    this.addSql('drop table platform_operator_sessions');
  }
}

export const tenantMigrations = [
  { name: 'Migration20261122000200_tenants', class: Migration20261122000200Tenants },
  { name: 'Migration20261206000100_platform_operator_sessions', class: Migration20261206000100PlatformOperatorSessions },
];
