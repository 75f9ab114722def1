import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { createOrm, fastQuery, kernelSchema, composeSchemas, type MikroORM } from '../src';
import { dropTestDatabases, testConfig } from '../src/testing';

/** The hot-path query helper against real PostgreSQL: same pool, same errors, joins transactions. */
let orm: MikroORM;

beforeAll(async () => {
  orm = await createOrm(await testConfig(), composeSchemas([kernelSchema]));
  await orm.em.fork().execute('create table fast_things (id int primary key, label text)');
});
afterAll(async () => {
  await orm.close();
  await dropTestDatabases();
});

describe('fastQuery', () => {
  it('binds `?` parameters server-side, prepares named statements per text, and converts errors', async () => {
    const em = orm.em.fork();
    await fastQuery(em, 'insert into fast_things (id, label) values (?, ?)', [1, "it's ?"], 'fast_insert');
    // The same name with another text is another prepared statement, not a clash.
    await fastQuery(em, 'insert into fast_things (id, label) values (?, ?) on conflict do nothing', [2, 'two'], 'fast_insert');
    for (let i = 0; i < 3; i++) expect(await fastQuery(em, 'select label from fast_things where id = ?', [1], 'fast_select')).toEqual([{ label: "it's ?" }]);
    await expect(fastQuery(em, 'insert into fast_things (id, label) values (?, ?)', [1, 'dup'])).rejects.toBeInstanceOf(UniqueConstraintViolationException);
  });

  it('joins the caller’s transaction, so a rollback takes its writes', async () => {
    await orm.em
      .fork()
      .transactional(async (tx) => {
        await fastQuery(tx, 'insert into fast_things (id, label) values (?, ?)', [10, 'rolled back']);
        throw new Error('abort');
      })
      .catch(() => undefined);
    expect(await fastQuery(orm.em.fork(), 'select id from fast_things where id = ?', [10])).toEqual([]);
  });
});
