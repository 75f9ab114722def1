import { afterAll, beforeAll } from 'vitest';
import { EVENT_CATALOG, EventCatalog, ServiceRegistry, composeSchemas, createOrm, kernelSchema, uuidv7, type Config, type MikroORM } from '@plinto/kernel';
import { dropTestDatabases, operatorContext, testConfig } from '@plinto/kernel/testing';
import { AuditEvents } from '@plinto/audit';
import { tenantsSchema } from '@plinto/tenants';
import { auditSchema } from '@plinto/audit';

/** A real, migrated database for this test file, with an ORM over every module's schema. */
export function useDatabase() {
  const state = {} as { orm: MikroORM; config: Config };
  beforeAll(async () => {
    state.config = await testConfig();
    state.orm = await createOrm(state.config, composeSchemas([kernelSchema, tenantsSchema, auditSchema]));
  });
  afterAll(async () => {
    await state.orm.close();
    await dropTestDatabases();
  });
  return state;
}

/** Inserts an event as if recorded at `at` (ids are UUIDv7 of the same instant, as recordEvent mints them). */
export async function insertEventAt(orm: MikroORM, tenantId: string, at: number, fields: Record<string, unknown> = {}) {
  const id = uuidv7(at);
  await orm.em.fork().execute(
    `insert into audit_events (id, tenant_id, actor_type, actor_id, action, data, occurred_at) values (?, ?, 'system', null, ?, ?::jsonb, ?)`,
    [id, tenantId, fields.action ?? 'test.backdated', JSON.stringify(fields.data ?? {}), new Date(at)],
  );
  return id;
}

export async function newTenant(orm: MikroORM, slug: string, settings: Record<string, unknown> = {}): Promise<string> {
  const id = uuidv7();
  await orm.em.fork().execute(`insert into tenants (id, slug, name, settings) values (?, ?, ?, ?::jsonb)`, [id, slug, slug, JSON.stringify(settings)]);
  return id;
}

export const count = async (orm: MikroORM, sql: string, params: unknown[] = []) =>
  (await orm.em.fork().execute<{ n: number }[]>(sql, params))[0]!.n;

/** A platform operator's service context in `tenantId`, over an event catalog of this module's events. */
export function asOperator(db: { orm: MikroORM; config: Config }, tenantId: string) {
  const services = new ServiceRegistry().set(EVENT_CATALOG, new EventCatalog([AuditEvents]));
  return operatorContext({ em: db.orm.em.fork(), config: db.config, services, tenant: { id: tenantId, slug: 't', name: 't', status: 'active', settings: {} } });
}
