import { Migration } from '@plinto/kernel';

/**
 * The OpenID Connect provider: applications (OIDC clients), single-use authorization codes,
 * consent interactions and remembered consents, each tenant's RS256 ID-token key, and what a
 * session issued to an application remembers (its client, scope, resource and auth time) so its
 * refresh tokens stay bound to that client (RFC 6749 §6).
 */
export class Migration20261206000500AuthOidc extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table applications (
        id uuid primary key,
        tenant_id uuid not null references tenants (id) on delete cascade,
        client_id text not null unique,
        -- SHA-256 of the secret; null for public clients (SPA, native), which must use PKCE.
        secret_hash text,
        name text not null,
        type text not null check (type in ('web', 'spa', 'native')),
        redirect_uris jsonb not null default '[]'::jsonb,
        post_logout_redirect_uris jsonb not null default '[]'::jsonb,
        allowed_origins jsonb not null default '[]'::jsonb,
        grant_types jsonb not null default '["authorization_code","refresh_token"]'::jsonb,
        resources jsonb not null default '[]'::jsonb,
        first_party boolean not null default false,
        id_token_alg text not null default 'RS256' check (id_token_alg in ('RS256', 'EdDSA', 'ES256')),
        logo_uri text,
        created_by_type text not null,
        created_by_id text,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        revoked_at timestamptz
      )`);
    this.addSql('create index applications_tenant_id_id on applications (tenant_id, id desc)');
    this.addSql(`
      create table oidc_authorization_codes (
        code_hash text primary key,
        tenant_id uuid not null references tenants (id) on delete cascade,
        application_id uuid not null references applications (id) on delete cascade,
        user_id uuid not null references users (id) on delete cascade,
        redirect_uri text not null,
        scope text not null,
        nonce text,
        code_challenge text,
        resource text,
        auth_time timestamptz not null,
        amr jsonb not null,
        aal smallint not null,
        created_at timestamptz not null default now(),
        expires_at timestamptz not null,
        used_at timestamptz,
        -- The session the first redemption created: a replayed code revokes it (and its tokens).
        grant_session_id uuid
      )`);
    this.addSql('create index oidc_codes_expires on oidc_authorization_codes (expires_at)');
    this.addSql(`
      create table oidc_interactions (
        id text primary key,
        tenant_id uuid not null references tenants (id) on delete cascade,
        application_id uuid not null references applications (id) on delete cascade,
        user_id uuid not null references users (id) on delete cascade,
        request jsonb not null,
        created_at timestamptz not null default now(),
        expires_at timestamptz not null,
        decided_at timestamptz
      )`);
    this.addSql(`
      create table oidc_consents (
        user_id uuid not null references users (id) on delete cascade,
        application_id uuid not null references applications (id) on delete cascade,
        tenant_id uuid not null references tenants (id) on delete cascade,
        scopes jsonb not null,
        granted_at timestamptz not null default now(),
        primary key (user_id, application_id)
      )`);
    this.addSql(`
      create table oidc_id_token_keys (
        kid text primary key,
        tenant_id uuid not null unique references tenants (id) on delete cascade,
        alg text not null check (alg = 'RS256'),
        public_jwk jsonb not null,
        private_key_sealed text not null,
        created_at timestamptz not null default now()
      )`);
    this.addSql('alter table sessions add column client_id text, add column scope text, add column resource text, add column auth_time timestamptz');
  }
}

/** A replayed code is marked, so a redemption still creating its session sees it and creates none. */
export class Migration20261206000510AuthOidcReplay extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table oidc_authorization_codes add column replayed_at timestamptz');
  }
}

/** Per-application token lifetimes (shorter than the server's, never longer). */
export class Migration20261206000520AuthOidcLifetimes extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table applications add column access_token_ttl_seconds integer, add column session_ttl_hours integer');
  }
}

/**
 * The user's claims as they were when the code was issued (the authorization endpoint reads them in
 * the statement that stores the code), so the token endpoint signs the ID token without reading
 * the user again. At most a code's lifetime (a minute) old.
 */
export class Migration20261206000530AuthOidcCodeClaims extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table oidc_authorization_codes add column user_snapshot jsonb');
  }
}

/**
 * ID-token keys per algorithm (RS256, ES256, EdDSA — each application picks one) with the life of
 * the access-token keys: `current` → `previous` (rotated out with the tenant's signing keys, still
 * published until its ID tokens have expired) → `retired`. At most one current key per tenant and
 * algorithm.
 */
export class Migration20261206004100AuthOidcIdTokenKeyRotation extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table oidc_id_token_keys drop constraint oidc_id_token_keys_tenant_id_key');
    this.addSql('alter table oidc_id_token_keys drop constraint oidc_id_token_keys_alg_check');
    this.addSql(`alter table oidc_id_token_keys add constraint oidc_id_token_keys_alg_check check (alg in ('RS256', 'ES256', 'EdDSA'))`);
    this.addSql(`
      alter table oidc_id_token_keys
        add column status text not null default 'current' check (status in ('current', 'previous', 'retired')),
        add column rotated_at timestamptz,
        add column retire_after timestamptz,
        add column retired_at timestamptz`);
    this.addSql(`create unique index oidc_id_token_keys_one_current on oidc_id_token_keys (tenant_id, alg) where status = 'current'`);
    this.addSql(`create index oidc_id_token_keys_published on oidc_id_token_keys (tenant_id) where status <> 'retired'`);
  }
}

/**
 * Authorization codes keep no foreign keys. Each one was a `FOR KEY SHARE` lock, at every
 * authorize, on rows every flow shares (the tenant, the application, the user). Under concurrency
 * those locks became multixacts: the authorize INSERT cost twice the buffers and WAL it does
 * without them (measured with pg_stat_statements on the code-flow bench).
 *
 * Nothing relied on them:
 * - a code is written from rows its own statement reads (the live session and its user) or that the
 *   request just resolved (tenant, application);
 * - Plinto never hard-deletes those rows;
 * - the session a redemption creates still references its user;
 * - a code lives a minute, and maintenance purges it a day later.
 */
export class Migration20261206230000AuthOidcCodesWithoutForeignKeys extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table oidc_authorization_codes
        drop constraint if exists oidc_authorization_codes_tenant_id_fkey,
        drop constraint if exists oidc_authorization_codes_application_id_fkey,
        drop constraint if exists oidc_authorization_codes_user_id_fkey`);
  }
}

export const oidcMigrations = [
  { name: 'Migration20261206000500_auth_oidc', class: Migration20261206000500AuthOidc },
  { name: 'Migration20261206000510_auth_oidc_replay', class: Migration20261206000510AuthOidcReplay },
  { name: 'Migration20261206000520_auth_oidc_lifetimes', class: Migration20261206000520AuthOidcLifetimes },
  { name: 'Migration20261206000530_auth_oidc_code_claims', class: Migration20261206000530AuthOidcCodeClaims },
  { name: 'Migration20261206004100_auth_oidc_id_token_key_rotation', class: Migration20261206004100AuthOidcIdTokenKeyRotation },
  { name: 'Migration20261206230000_auth_oidc_codes_without_foreign_keys', class: Migration20261206230000AuthOidcCodesWithoutForeignKeys },
];
