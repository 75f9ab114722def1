import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrm, kernelSchema, composeSchemas, recordEventCommitted, SYSTEM_ACTOR, type MikroORM } from '../src';
import { dropTestDatabases, testConfig, undeclaredEvent } from '../src/testing';

/** Group commit of whole-change events, against real PostgreSQL. */
let one: MikroORM;
let other: MikroORM;

beforeAll(async () => {
  one = await createOrm(await testConfig(), composeSchemas([kernelSchema]));
  other = await createOrm(await testConfig(), composeSchemas([kernelSchema]));
});
afterAll(async () => {
  await Promise.all([one.close(), other.close()]);
  await dropTestDatabases();
});

const count = async (orm: MikroORM, table: string, action: string) =>
  (await orm.em.fork().execute<{ n: number }[]>(`select count(*)::int as n from ${table} where ${table === 'outbox' ? 'job_name' : 'action'} = ?`, [action]))[0]!.n;

describe('recordEventCommitted', () => {
  it('commits each of many concurrent events — audit row and outbox row — before resolving, each into its own database', async () => {
    const ids = await Promise.all(
      Array.from({ length: 120 }, (_, i) => recordEventCommitted((i % 2 ? one : other).em.fork(), SYSTEM_ACTOR, undeclaredEvent('test.grouped', { tenantId: null, data: { i } }))),
    );
    expect(new Set(ids).size).toBe(120);
    // Resolved means committed: visible to any other connection at once.
    for (const orm of [one, other]) {
      expect(await count(orm, 'audit_events', 'test.grouped')).toBe(60);
      expect(await count(orm, 'outbox', 'test.grouped')).toBe(60);
    }
  });

  it('inside a transaction, joins it: a rollback takes the event', async () => {
    await one.em
      .fork()
      .transactional(async (tx) => {
        await recordEventCommitted(tx, SYSTEM_ACTOR, undeclaredEvent('test.rolled_back', { tenantId: null }));
        throw new Error('abort');
      })
      .catch(() => undefined);
    expect(await count(one, 'audit_events', 'test.rolled_back')).toBe(0);
  });
});
