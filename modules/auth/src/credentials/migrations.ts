import { Migration } from '@plinto/kernel';

/**
 * API keys and machine clients. `organization_id` has no foreign key: organizations live in the
 * orgs module, which checks them and revokes an organization's credentials when it goes.
 */
export class Migration20261122000390AuthCredentials extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table api_keys (
        id uuid primary key,
        tenant_id uuid not null references tenants (id) on delete cascade,
        organization_id uuid,
        name text not null,
        public_id text not null unique,
        secret_hash text not null,
        role text not null,
        created_by_type text not null,
        created_by_id text,
        created_at timestamptz not null default now(),
        expires_at timestamptz,
        last_used_at timestamptz,
        revoked_at timestamptz,
        last_rejected_at timestamptz
      )`);
    this.addSql('create index api_keys_tenant_id_id on api_keys (tenant_id, id desc)');
    this.addSql(`
      create table machine_clients (
        id uuid primary key,
        tenant_id uuid not null references tenants (id) on delete cascade,
        organization_id uuid,
        name text not null,
        client_id text not null unique,
        secret_hash text not null,
        roles jsonb not null default '[]'::jsonb,
        scopes jsonb not null default '[]'::jsonb,
        created_by_type text not null,
        created_by_id text,
        created_at timestamptz not null default now(),
        last_used_at timestamptz,
        revoked_at timestamptz,
        last_rejected_at timestamptz
      )`);
    this.addSql('create index machine_clients_tenant_id_id on machine_clients (tenant_id, id desc)');
  }

  override async down(): Promise<void> {
    this.addSql('drop table machine_clients');
    this.addSql('drop table api_keys');
  }
}

export const credentialsMigrations = [{ name: 'Migration20261122000390_auth_credentials', class: Migration20261122000390AuthCredentials }];
