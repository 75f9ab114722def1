import { Migration } from '@plinto/kernel';

/** Passkeys (WebAuthn credentials) of users, per tenant. */
export class Migration20261206001600AuthPasskeys extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table passkeys (
        id uuid primary key,
        tenant_id uuid not null references tenants (id) on delete cascade,
        user_id uuid not null references users (id) on delete cascade,
        credential_id text not null,
        public_key text not null,
        counter bigint not null default 0 check (counter >= 0),
        transports jsonb not null default '[]'::jsonb,
        aaguid text not null,
        name text not null,
        device_type text not null,
        backed_up boolean not null,
        rp_id text not null,
        created_at timestamptz not null default now(),
        last_used_at timestamptz
      )`);
    // A credential id names one passkey per tenant: a credential of another tenant is unknown here.
    this.addSql('create unique index passkeys_tenant_credential on passkeys (tenant_id, credential_id)');
    this.addSql('create index passkeys_user on passkeys (user_id, created_at)');
  }

  override async down(): Promise<void> {
    this.addSql('drop table passkeys');
  }
}

export const passkeyMigrations = [{ name: 'Migration20261206001600_auth_passkeys', class: Migration20261206001600AuthPasskeys }];
