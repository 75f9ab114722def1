import { Migration } from '@plinto/kernel';

export class Migration20261122000300Auth extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table users (
        id uuid primary key,
        tenant_id uuid not null references tenants (id) on delete cascade,
        email text not null,
        display_name text,
        metadata jsonb not null default '{}'::jsonb,
        password_hash text,
        email_verified_at timestamptz,
        disabled_at timestamptz,
        mfa_enabled_at timestamptz,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        last_sign_in_at timestamptz,
        -- Emails are normalised (NFKC, trimmed, lower-cased) before they are stored, so this is
        -- case-insensitive uniqueness; lower() guards against a writer that forgot to normalise.
        constraint users_email_lower check (email = lower(email))
      )`);
    this.addSql('create unique index users_tenant_email on users (tenant_id, email)');
    this.addSql('create index users_tenant_id_id on users (tenant_id, id desc)');
    this.addSql(`
      create table sessions (
        id uuid primary key,
        tenant_id uuid not null,
        user_id uuid not null references users (id) on delete cascade,
        token_hash text unique,
        amr jsonb not null default '[]'::jsonb,
        aal smallint not null default 1,
        ip text,
        user_agent text,
        created_at timestamptz not null default now(),
        last_used_at timestamptz not null default now(),
        expires_at timestamptz not null,
        revoked_at timestamptz,
        revoked_reason text
      )`);
    this.addSql('create index sessions_user_live on sessions (user_id) where revoked_at is null');
    this.addSql(`
      create table auth_tokens (
        id uuid primary key,
        tenant_id uuid not null,
        user_id uuid not null references users (id) on delete cascade,
        purpose text not null check (purpose in ('email_verification', 'password_reset', 'magic_link')),
        token_hash text not null unique,
        created_at timestamptz not null default now(),
        expires_at timestamptz not null,
        consumed_at timestamptz
      )`);
    this.addSql('create index auth_tokens_user_purpose on auth_tokens (user_id, purpose) where consumed_at is null');
    this.addSql(`
      create table mfa_totp_factors (
        id uuid primary key,
        tenant_id uuid not null,
        user_id uuid not null unique references users (id) on delete cascade,
        secret text not null,
        confirmed_at timestamptz,
        last_used_step bigint,
        created_at timestamptz not null default now()
      )`);
    this.addSql(`
      create table mfa_recovery_codes (
        id uuid primary key,
        tenant_id uuid not null,
        user_id uuid not null references users (id) on delete cascade,
        code_hash text not null,
        used_at timestamptz,
        created_at timestamptz not null default now(),
        constraint mfa_recovery_codes_user_code unique (user_id, code_hash)
      )`);
    this.addSql(`
      create table mfa_challenges (
        id uuid primary key,
        tenant_id uuid not null,
        user_id uuid not null references users (id) on delete cascade,
        token_hash text not null unique,
        amr jsonb not null,
        attempts integer not null default 0,
        created_at timestamptz not null default now(),
        expires_at timestamptz not null,
        consumed_at timestamptz
      )`);
  }

  override async down(): Promise<void> {
    for (const table of ['mfa_challenges', 'mfa_recovery_codes', 'mfa_totp_factors', 'auth_tokens', 'sessions', 'users']) {
      this.addSql(`drop table ${table}`);
    }
  }
}

export const authMigrations = [{ name: 'Migration20261122000300_auth_accounts', class: Migration20261122000300Auth }];
