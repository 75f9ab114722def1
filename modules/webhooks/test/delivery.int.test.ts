import net from 'node:net';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { composeSchemas, createLogger, createOrm, kernelSchema, uuidv7, type MikroORM, type Resolver } from '@plinto/kernel';
import { dropTestDatabases, operatorContext, testConfig } from '@plinto/kernel/testing';
import { createEndpoint, deliverMessage, sendTestMessage, webhooksSchema } from '../src';

/**
 * The delivery service against a real database, with the DNS answer stubbed: an endpoint saved
 * under a harmless-looking host name that resolves to a metadata or private address is refused
 * at delivery time, before any socket is opened, and the refusal is logged as a failed attempt.
 */
let orm: MikroORM;
let config: Awaited<ReturnType<typeof testConfig>>;
const tenantId = uuidv7();

beforeAll(async () => {
  config = await testConfig({ WEBHOOK_RETRY_SCHEDULE: '0,1h' });
  orm = await createOrm(config, composeSchemas([kernelSchema, webhooksSchema]), createLogger({ LOG_LEVEL: 'silent' }, 'test'));
  await orm.em.fork().execute(`insert into tenants (id, slug, name) values (?, 'wh-int', 'wh-int')`, [tenantId]);
});
afterAll(async () => {
  await orm?.close();
  await dropTestDatabases();
});

describe('deliverMessage: SSRF at delivery time', () => {
  const connect = vi.spyOn(net.Socket.prototype, 'connect');
  afterAll(() => connect.mockRestore());

  it.each([
    ['hooks.customer.example', '169.254.169.254', 'metadata'],
    ['hooks2.customer.example', '::ffff:10.0.0.7', 'private'],
    ['hooks3.customer.example', 'fd00:ec2::254', 'metadata'],
  ])('%s resolving to %s is refused (%s), logged, and retried on schedule', async (host, address, cls) => {
    const resolver: Resolver = async () => [{ address, family: address.includes(':') ? 6 : 4 }];
    const asOperator = () => operatorContext({ em: orm.em.fork(), config, tenant: { id: tenantId, slug: 'wh-int', name: 'wh-int', status: 'active', settings: {} } });
    const endpoint = await createEndpoint(asOperator(), { url: `https://${host}/hooks` });
    const message = await sendTestMessage(asOperator(), endpoint.id, {});
    connect.mockClear();

    const outcome = await deliverMessage(orm, config, message.id, { resolver });
    expect(outcome).toMatchObject({ kind: 'retry', attempt: 1 });
    expect(connect).not.toHaveBeenCalled();

    const [attempt] = (await orm.em.fork().execute('select * from webhook_attempts where message_id = ?', [message.id])) as any[];
    expect(attempt).toMatchObject({ status: 'failed', response_status: null });
    expect(attempt.error).toContain(cls);
    const [row] = (await orm.em.fork().execute('select status, last_error from webhook_messages where id = ?', [message.id])) as any[];
    expect(row.status).toBe('pending');
    expect(row.last_error).toMatch(/^refused: /);

    // Not due yet (next slot is in an hour): another run only says when to look again.
    expect(await deliverMessage(orm, config, message.id, { resolver })).toMatchObject({ kind: 'wait' });
    expect(connect).not.toHaveBeenCalled();
  });
});

describe('deliverMessage: an endpoint recovering', () => {
  it('records webhook.endpoint.recovered once, when a success ends a failing spell — not for every success', async () => {
    let status = 500;
    const server = http.createServer((_req, res) => res.writeHead(status).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const local = { ...config, WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', WEBHOOK_RETRY_SCHEDULE: '0,0,0' } as typeof config;
    try {
      const asOperator = () => operatorContext({ em: orm.em.fork(), config: local, tenant: { id: tenantId, slug: 'wh-int', name: 'wh-int', status: 'active', settings: {} } });
      const endpoint = await createEndpoint(asOperator(), { url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/hooks` });
      const recovered = async () => (await orm.em.fork().execute(`select data from audit_events where action = 'webhook.endpoint.recovered' and target_id = ?`, [endpoint.id])) as { data: Record<string, unknown> }[];

      const first = await sendTestMessage(asOperator(), endpoint.id, {});
      expect(await deliverMessage(orm, local, first.id)).toMatchObject({ kind: 'retry' });
      const [failing] = (await orm.em.fork().execute('select failing_since from webhook_endpoints where id = ?', [endpoint.id])) as { failing_since: string | Date }[];
      expect(failing!.failing_since).not.toBeNull();
      expect(await recovered()).toEqual([]);

      status = 204;
      expect(await deliverMessage(orm, local, first.id)).toMatchObject({ kind: 'succeeded' });
      const events = await recovered();
      expect(events).toHaveLength(1);
      expect(events[0]!.data).toMatchObject({ endpointId: endpoint.id, failingSince: new Date(failing!.failing_since).toISOString() });
      const [healthy] = (await orm.em.fork().execute('select failing_since, consecutive_failures from webhook_endpoints where id = ?', [endpoint.id])) as any[];
      expect(healthy).toMatchObject({ failing_since: null, consecutive_failures: 0 });

      // A healthy endpoint's next success records nothing.
      const second = await sendTestMessage(asOperator(), endpoint.id, {});
      expect(await deliverMessage(orm, local, second.id)).toMatchObject({ kind: 'succeeded' });
      expect(await recovered()).toHaveLength(1);
    } finally {
      server.close();
    }
  });
});
