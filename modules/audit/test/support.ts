import { afterAll, beforeAll } from 'vitest';
import { composeSchemas, createOrm, kernelSchema, uuidv7, type MikroORM } from '@plinto/kernel';
import { dropTestDatabases, testConfig } from '@plinto/kernel/testing';
import { tenantsSchema } from '@plinto/tenants';
import { auditSchema } from '@plinto/audit';

/** A real, migrated database for this test file, with an ORM over every module's schema. */
export function useDatabase() {
  const state = {} as { orm: MikroORM };
  beforeAll(async () => {
    state.orm = await createOrm(await testConfig(), composeSchemas([kernelSchema, tenantsSchema, auditSchema]));
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
