import { Migration } from '@plinto/kernel';

/** Sign-in connections to external identity providers, and the identities linked to users. */
export class Migration20261206001610AuthSocial extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table social_connections (
        id uuid primary key,
        tenant_id uuid not null references tenants (id) on delete cascade,
        slug text not null,
        provider text not null check (provider in ('google', 'github', 'microsoft', 'oidc')),
        name text not null,
        client_id text not null,
        client_secret text not null,
        issuer text,
        endpoints jsonb not null default '{}'::jsonb,
        scopes jsonb not null default '[]'::jsonb,
        allow_sign_up boolean not null default true,
        enabled boolean not null default true,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )`);
    this.addSql('create unique index social_connections_tenant_slug on social_connections (tenant_id, slug)');
    this.addSql(`
      create table external_identities (
        id uuid primary key,
        tenant_id uuid not null,
        user_id uuid not null references users (id) on delete cascade,
        connection_id uuid not null references social_connections (id) on delete cascade,
        subject text not null,
        email text,
        created_at timestamptz not null default now(),
        last_used_at timestamptz
      )`);
    // One account per external subject per connection.
    this.addSql('create unique index external_identities_subject on external_identities (connection_id, subject)');
    this.addSql('create index external_identities_user on external_identities (user_id)');
  }

  override async down(): Promise<void> {
    this.addSql('drop table external_identities');
    this.addSql('drop table social_connections');
  }
}

export const socialMigrations = [{ name: 'Migration20261206001610_auth_social', class: Migration20261206001610AuthSocial }];
