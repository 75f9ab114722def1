import { Migration } from '@mikro-orm/migrations';

export class Migration20261122000100KernelEventSpine extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table audit_events (
        id uuid primary key,
        tenant_id uuid,
        organization_id uuid,
        actor_type text not null,
        actor_id text,
        action text not null,
        target_type text,
        target_id text,
        outcome text not null default 'success',
        ip text,
        user_agent text,
        request_id text,
        data jsonb not null default '{}'::jsonb,
        occurred_at timestamptz not null default now()
      )`);
    this.addSql('create index audit_events_tenant_id_id on audit_events (tenant_id, id desc)');
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

export const kernelMigrations = [
  { name: 'Migration20261122000100_kernel_event_spine', class: Migration20261122000100KernelEventSpine },
];
