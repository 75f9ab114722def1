import { Migration } from '@plinto/kernel';

export class Migration20261122000800Webhooks extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table webhook_endpoints (
        id uuid primary key,
        tenant_id uuid not null references tenants (id) on delete cascade,
        organization_id uuid,
        url text not null,
        description text not null default '',
        event_types jsonb not null default '[]'::jsonb,
        enabled boolean not null default true,
        disabled_reason text check (disabled_reason in ('manual', 'gone', 'failing')),
        disabled_at timestamptz,
        metadata jsonb not null default '{}'::jsonb,
        secret_sealed text not null,
        previous_secret_sealed text,
        previous_secret_expires_at timestamptz,
        failing_since timestamptz,
        last_success_at timestamptz,
        last_failure_at timestamptz,
        consecutive_failures integer not null default 0,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )`);
    this.addSql('create index webhook_endpoints_tenant_id on webhook_endpoints (tenant_id, id desc)');
    this.addSql(`
      create table webhook_messages (
        id uuid primary key,
        tenant_id uuid not null,
        endpoint_id uuid not null references webhook_endpoints (id) on delete cascade,
        event_id uuid,
        event_type text not null,
        body text not null,
        status text not null check (status in ('pending', 'delivering', 'succeeded', 'failed')),
        trigger text not null check (trigger in ('event', 'test', 'replay', 'recover')),
        attempts integer not null default 0,
        round_attempts integer not null default 0,
        next_attempt_at timestamptz,
        claimed_until timestamptz,
        last_attempt_at timestamptz,
        last_response_status integer,
        last_error text,
        delivered_at timestamptz,
        failed_at timestamptz,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )`);
    // Fan-out is idempotent by event id: a redelivered event cannot create a second message.
    this.addSql('create unique index webhook_messages_event_endpoint on webhook_messages (event_id, endpoint_id)');
    this.addSql('create index webhook_messages_endpoint on webhook_messages (endpoint_id, id desc)');
    this.addSql(`create index webhook_messages_dead on webhook_messages (tenant_id, id desc) where status = 'failed'`);
    this.addSql(`create index webhook_messages_open on webhook_messages (next_attempt_at) where status in ('pending', 'delivering')`);
    this.addSql(`
      create table webhook_attempts (
        id uuid primary key,
        tenant_id uuid not null,
        message_id uuid not null references webhook_messages (id) on delete cascade,
        endpoint_id uuid not null,
        attempt integer not null,
        trigger text not null,
        status text not null check (status in ('succeeded', 'failed')),
        response_status integer,
        response_body text,
        error text,
        latency_ms integer not null,
        created_at timestamptz not null default now()
      )`);
    this.addSql('create index webhook_attempts_message on webhook_attempts (message_id, id)');
    this.addSql('create index webhook_attempts_endpoint on webhook_attempts (endpoint_id, id desc)');
  }

  override async down(): Promise<void> {
    this.addSql('drop table webhook_attempts');
    this.addSql('drop table webhook_messages');
    this.addSql('drop table webhook_endpoints');
  }
}

export const webhookMigrations = [{ name: 'Migration20261122000800_webhooks_tables', class: Migration20261122000800Webhooks }];
