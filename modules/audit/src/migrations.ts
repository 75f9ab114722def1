import { Migration } from '@plinto/kernel';

export class Migration20261122000700Audit extends Migration {
  override async up(): Promise<void> {
    // The head of each tenant's hash chain (chain_key = tenant id, or the nil uuid for platform events).
    this.addSql(`
      create table audit_chain_heads (
        chain_key uuid primary key,
        seq bigint not null,
        hash text not null,
        updated_at timestamptz not null default now()
      )`);
    // Where retention cut each chain: verification restarts from the latest checkpoint.
    this.addSql(`
      create table audit_chain_checkpoints (
        id uuid primary key,
        chain_key uuid not null,
        seq bigint not null,
        hash text not null,
        cut_before timestamptz not null,
        created_at timestamptz not null default now()
      )`);
    this.addSql('create index audit_chain_checkpoints_key_seq on audit_chain_checkpoints (chain_key, seq desc)');
    // Application-defined event types a tenant's backend may append.
    this.addSql(`
      create table audit_event_schemas (
        id uuid primary key,
        tenant_id uuid not null,
        action text not null,
        description text,
        data_schema jsonb not null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        constraint audit_event_schemas_tenant_action unique (tenant_id, action)
      )`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table audit_event_schemas');
    this.addSql('drop table audit_chain_checkpoints');
    this.addSql('drop table audit_chain_heads');
  }
}

/**
 * Idempotency keys of batch appends: a key a tenant's backend sent with an event, and the event it
 * appended. A retried batch finds its keys here and appends nothing twice. A separate table because
 * audit_events is partitioned by day (a unique index there would have to include the day).
 */
export class Migration20261206003000AuditAppendKeys extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table audit_append_keys (
        tenant_id uuid not null,
        key text not null,
        event_id uuid not null,
        created_at timestamptz not null default now(),
        primary key (tenant_id, key)
      )`);
    this.addSql('create index audit_append_keys_created_at on audit_append_keys (created_at)');
  }

  override async down(): Promise<void> {
    this.addSql('drop table audit_append_keys');
  }
}

export const auditMigrations = [
  { name: 'Migration20261122000700_audit', class: Migration20261122000700Audit },
  { name: 'Migration20261206003000_audit_append_keys', class: Migration20261206003000AuditAppendKeys },
];
