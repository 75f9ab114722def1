import { Migration } from '@mikro-orm/migrations';

export class Migration20261122000100KernelEventSpine extends Migration {
  override async up(): Promise<void> {
    // Partitioned by time (daily partitions, managed by the audit module), so retention drops whole
    // partitions instead of deleting rows one by one. The primary key must include the partition key.
    // chain_seq/chain_hash: the per-tenant hash chain, filled after commit by the audit chainer.
    this.addSql(`
      create table audit_events (
        id uuid not null,
        tenant_id uuid,
        organization_id uuid,
        actor_type text not null,
        actor_id text,
        action text not null,
        source text not null default 'plinto',
        target_type text,
        target_id text,
        outcome text not null default 'success',
        ip text,
        user_agent text,
        request_id text,
        data jsonb not null default '{}'::jsonb,
        occurred_at timestamptz not null default now(),
        chain_seq bigint,
        chain_hash text,
        primary key (id, occurred_at)
      ) partition by range (occurred_at)`);
    // Catches rows for days without a partition yet, so an insert never fails.
    this.addSql('create table audit_events_default partition of audit_events default');
    this.addSql('create index audit_events_tenant_id on audit_events (tenant_id, id desc)');
    this.addSql('create index audit_events_tenant_action on audit_events (tenant_id, action, id desc)');
    this.addSql('create index audit_events_tenant_actor on audit_events (tenant_id, actor_id, id desc)');
    this.addSql('create index audit_events_tenant_target on audit_events (tenant_id, target_type, target_id, id desc)');
    this.addSql('create index audit_events_tenant_org on audit_events (tenant_id, organization_id, id desc) where organization_id is not null');
    this.addSql('create index audit_events_id on audit_events (id)');
    this.addSql('create index audit_events_unchained on audit_events (id) where chain_seq is null');
    this.addSql('create index audit_events_chain on audit_events (tenant_id, chain_seq) where chain_seq is not null');
    this.addSql(`
      create table outbox (
        id uuid primary key,
        tenant_id uuid,
        queue text not null,
        job_name text not null,
        payload jsonb not null,
        created_at timestamptz not null default now(),
        available_at timestamptz not null default now(),
        dispatched_at timestamptz,
        attempts integer not null default 0,
        last_error text
      )`);
    // The relay only ever looks at undispatched rows; keep that index tiny.
    this.addSql('create index outbox_pending on outbox (available_at, id) where dispatched_at is null');
    this.addSql('create index outbox_dispatched_at on outbox (dispatched_at) where dispatched_at is not null');
  }

  override async down(): Promise<void> {
    this.addSql('drop table outbox');
    this.addSql('drop table audit_events');
  }
}

/**
 * Wakes the outbox relay (and the audit chainer) the moment a transaction that wrote outbox rows
 * commits: NOTIFY is delivered at commit, once per statement, so polling is only a fallback.
 */
export class Migration20261122000150KernelOutboxNotify extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create function plinto_outbox_notify() returns trigger language plpgsql as $$
      begin
        perform pg_notify('plinto_outbox', '');
        return null;
      end $$`);
    this.addSql('create trigger outbox_notify after insert on outbox for each statement execute function plinto_outbox_notify()');
  }

  override async down(): Promise<void> {
    this.addSql('drop trigger outbox_notify on outbox');
    this.addSql('drop function plinto_outbox_notify()');
  }
}

/**
 * `audit_events_id` duplicated the primary key's leading column (`(id, occurred_at)` answers
 * lookups by id): one index fewer to maintain on every audit append, the write every change makes.
 */
export class Migration20261122002000KernelAuditIdIndex extends Migration {
  override async up(): Promise<void> {
    this.addSql('drop index if exists audit_events_id');
  }

  override async down(): Promise<void> {
    this.addSql('create index audit_events_id on audit_events (id)');
  }
}

/**
 * The NOTIFY trigger on `outbox` made every transaction that wrote an event take PostgreSQL's
 * notify lock at commit, so those commits ran one at a time. The relay is now woken by a NOTIFY
 * sent after commit, outside the transaction (events/wake.ts), and polls anyway.
 */
export class Migration20261206000100KernelOutboxNotifyOutsideTransactions extends Migration {
  override async up(): Promise<void> {
    this.addSql('drop trigger if exists outbox_notify on outbox');
    this.addSql('drop function if exists plinto_outbox_notify()');
  }

  override async down(): Promise<void> {
    this.addSql(`
      create function plinto_outbox_notify() returns trigger language plpgsql as $$
      begin
        perform pg_notify('plinto_outbox', '');
        return null;
      end $$`);
    this.addSql('create trigger outbox_notify after insert on outbox for each statement execute function plinto_outbox_notify()');
  }
}

export const kernelMigrations = [
  { name: 'Migration20261122000100_kernel_event_spine', class: Migration20261122000100KernelEventSpine },
  { name: 'Migration20261122000150_kernel_outbox_notify', class: Migration20261122000150KernelOutboxNotify },
  { name: 'Migration20261122002000_kernel_audit_id_index', class: Migration20261122002000KernelAuditIdIndex },
  { name: 'Migration20261206000100_kernel_outbox_notify_outside_transactions', class: Migration20261206000100KernelOutboxNotifyOutsideTransactions },
];
