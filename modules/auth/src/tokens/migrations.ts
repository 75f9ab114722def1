import { Migration } from '@plinto/kernel';

/** Access/refresh tokens: per-tenant signing keys, refresh-token families, revocations. */
export class Migration20261122000400AuthTokens extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table signing_keys (
        kid text primary key,
        tenant_id uuid not null references tenants (id) on delete cascade,
        alg text not null check (alg in ('EdDSA', 'ES256')),
        public_jwk jsonb not null,
        -- AES-256-GCM under a key derived from PLINTO_MASTER_KEY, bound to the kid (AAD).
        private_key_sealed text not null,
        status text not null check (status in ('current', 'previous', 'retired')),
        created_at timestamptz not null default now(),
        rotated_at timestamptz,
        -- Once every token this key signed has expired it leaves the JWKS.
        retire_after timestamptz,
        retired_at timestamptz
      )`);
    // At most one current key per tenant: concurrent "ensure a key" calls cannot create two.
    this.addSql(`create unique index signing_keys_one_current on signing_keys (tenant_id) where status = 'current'`);
    this.addSql(`create index signing_keys_tenant_published on signing_keys (tenant_id) where status <> 'retired'`);

    // The interim opaque session token is gone: sessions are reached through refresh tokens.
    this.addSql('alter table sessions drop column token_hash');
    // The active organization (and the member's role there) that access tokens carry.
    this.addSql('alter table sessions add column organization_id uuid, add column organization_role text');
    this.addSql(`
      create table refresh_tokens (
        id uuid primary key,
        tenant_id uuid not null,
        -- A session is a refresh-token family: reuse of a rotated member revokes the session.
        -- Deferred: the unit of work may insert a session and its first token in either order.
        session_id uuid not null references sessions (id) on delete cascade deferrable initially deferred,
        token_hash text not null unique,
        parent_id uuid references refresh_tokens (id) on delete set null deferrable initially deferred,
        status text not null check (status in ('active', 'rotated', 'revoked')),
        created_at timestamptz not null default now(),
        rotated_at timestamptz,
        successor_id uuid,
        -- The successor's token, sealed, kept only during the grace window so concurrent refreshes
        -- with this token get the same successor instead of tripping reuse detection.
        successor_sealed text,
        expires_at timestamptz not null
      )`);
    this.addSql(`create index refresh_tokens_session_active on refresh_tokens (session_id) where status = 'active'`);

    // Revoked sessions / clients / token ids, until every access token they could cover has expired.
    this.addSql(`
      create table token_revocations (
        key text primary key,
        tenant_id uuid,
        expires_at timestamptz not null,
        created_at timestamptz not null default now()
      )`);
    this.addSql('create index token_revocations_expires on token_revocations (expires_at)');
  }

  override async down(): Promise<void> {
    this.addSql('drop table token_revocations');
    this.addSql('drop table refresh_tokens');
    this.addSql('alter table sessions drop column organization_id, drop column organization_role');
    this.addSql('alter table sessions add column token_hash text unique');
    this.addSql('drop table signing_keys');
  }
}

export const tokenMigrations = [{ name: 'Migration20261122000400_auth_tokens', class: Migration20261122000400AuthTokens }];
