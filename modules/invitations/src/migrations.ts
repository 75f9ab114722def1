import { Migration } from '@plinto/kernel';

export class Migration20261122001100Invitations extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table invitations (
        id uuid primary key,
        tenant_id uuid not null references tenants (id) on delete cascade,
        organization_id uuid not null references organizations (id) on delete cascade,
        email text not null,
        role text not null,
        team_ids jsonb not null default '[]'::jsonb,
        message text,
        token_hash text not null,
        status text not null check (status in ('pending', 'accepted', 'expired', 'revoked')),
        invited_by_type text not null,
        invited_by_id text,
        invited_by_name text,
        expires_at timestamptz not null,
        send_count integer not null default 1,
        last_sent_at timestamptz not null default now(),
        accepted_at timestamptz,
        accepted_user_id uuid references users (id) on delete set null,
        revoked_at timestamptz,
        revoked_by_id text,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        constraint invitations_email_lower check (email = lower(email))
      )`);
    // Tokens are looked up by hash; a resend replaces the hash, so the old link stops working.
    this.addSql('create unique index invitations_token_hash on invitations (token_hash)');
    // At most one live invitation per address and organization (a second one is refused with 409).
    this.addSql(`create unique index invitations_pending_email on invitations (organization_id, email) where status = 'pending'`);
    this.addSql('create index invitations_tenant_id on invitations (tenant_id, id desc)');
    this.addSql('create index invitations_organization_id on invitations (organization_id, id desc)');
    // The expiry job's scan: only rows still pending, by due time.
    this.addSql(`create index invitations_pending_expiry on invitations (expires_at) where status = 'pending'`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table invitations');
  }
}

export const invitationMigrations = [{ name: 'Migration20261122001100_invitations', class: Migration20261122001100Invitations }];
