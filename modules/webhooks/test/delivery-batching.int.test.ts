import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeSchemas, createLogger, createOrm, kernelSchema, uuidv7, type MikroORM } from '@plinto/kernel';
import { dropTestDatabases, operatorContext, testConfig } from '@plinto/kernel/testing';
import { createEndpoint, deliverMessage, generateSecret, rotateSecret, sendTestMessage, updateEndpoint, webhooksSchema } from '../src';

/**
 * Deliveries started together share their claim and their success record (one statement per
 * batch, see delivery-writes.ts). Against a real database and a real receiver: every message of a
 * batch is delivered once and recorded once, two jobs of one message never deliver it twice at
 * the same time, and the endpoint is read afresh for every attempt — a rotated secret or a
 * disabled endpoint applies to the very next delivery.
 */
let orm: MikroORM;
let config: Awaited<ReturnType<typeof testConfig>>;
let server: Server;
let url: string;
const received: { headers: IncomingHttpHeaders; body: string }[] = [];
const tenantId = uuidv7();

const asOperator = () => operatorContext({ em: orm.em.fork(), config, tenant: { id: tenantId, slug: 'wh-batch', name: 'wh-batch', status: 'active', settings: {} } });

/** Which of `secrets` signed a received delivery (Standard Webhooks, computed here independently). */
function signedWith(delivery: { headers: IncomingHttpHeaders; body: string }, secrets: string[]): string[] {
  const { 'webhook-id': id, 'webhook-timestamp': ts, 'webhook-signature': signature } = delivery.headers;
  const given = String(signature).split(' ');
  return secrets.filter((secret) => {
    const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
    return given.includes(`v1,${createHmac('sha256', key).update(`${id}.${ts}.${delivery.body}`).digest('base64')}`);
  });
}

beforeAll(async () => {
  config = await testConfig({ WEBHOOK_RETRY_SCHEDULE: '0,1h', WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' });
  orm = await createOrm(config, composeSchemas([kernelSchema, webhooksSchema]), createLogger({ LOG_LEVEL: 'silent' }, 'test'));
  await orm.em.fork().execute(`insert into tenants (id, slug, name) values (?, 'wh-batch', 'wh-batch')`, [tenantId]);
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await orm?.close();
  await dropTestDatabases();
});

const attemptsOf = async (messageId: string) =>
  (await orm.em.fork().execute('select status, attempt from webhook_attempts where message_id = ?', [messageId])) as { status: string; attempt: number }[];

describe('deliveries started together', () => {
  it('each message of a batch is delivered once, recorded once, and settled', async () => {
    const endpoint = await createEndpoint(asOperator(), { url });
    const messages = await Promise.all(Array.from({ length: 20 }, () => sendTestMessage(asOperator(), endpoint.id, {})));
    received.length = 0;

    const outcomes = await Promise.all(messages.map((m) => deliverMessage(orm, config, m.id)));

    expect(outcomes.every((o) => o.kind === 'succeeded')).toBe(true);
    expect(received.map((r) => r.headers['webhook-id']).sort()).toEqual(messages.map((m) => m.id).sort());
    const rows = (await orm.em.fork().execute(`select id, status, attempts, delivered_at from webhook_messages where endpoint_id = ?`, [endpoint.id])) as any[];
    expect(rows.every((r) => r.status === 'succeeded' && r.attempts === 1 && r.delivered_at)).toBe(true);
    for (const m of messages) expect(await attemptsOf(m.id)).toEqual([{ status: 'succeeded', attempt: 1 }]);
    const [health] = (await orm.em.fork().execute('select last_success_at, consecutive_failures from webhook_endpoints where id = ?', [endpoint.id])) as any[];
    expect(health.last_success_at).toBeTruthy();
    expect(health.consecutive_failures).toBe(0);
  });

  it('two jobs of one message in the same batch deliver it once: the other is told to look again', async () => {
    const endpoint = await createEndpoint(asOperator(), { url });
    const message = await sendTestMessage(asOperator(), endpoint.id, {});
    received.length = 0;

    const outcomes = await Promise.all([deliverMessage(orm, config, message.id), deliverMessage(orm, config, message.id)]);

    expect(outcomes.map((o) => o.kind).sort()).toEqual(['succeeded', 'wait']);
    expect(received.filter((r) => r.headers['webhook-id'] === message.id)).toHaveLength(1);
    expect(await attemptsOf(message.id)).toHaveLength(1);
  });

  it('a rotated secret signs the very next delivery, and a disabled endpoint receives nothing more', async () => {
    const oldSecret = generateSecret();
    const endpoint = await createEndpoint(asOperator(), { url, secret: oldSecret });
    const first = await sendTestMessage(asOperator(), endpoint.id, {});
    const second = await sendTestMessage(asOperator(), endpoint.id, {});
    const third = await sendTestMessage(asOperator(), endpoint.id, {});
    received.length = 0;

    expect(await deliverMessage(orm, config, first.id)).toMatchObject({ kind: 'succeeded' });
    const newSecret = generateSecret();
    await rotateSecret(asOperator(), endpoint.id, { secret: newSecret, overlapSeconds: 0 });
    expect(await deliverMessage(orm, config, second.id)).toMatchObject({ kind: 'succeeded' });
    const [before, after] = received;
    expect(signedWith(before!, [oldSecret, newSecret])).toEqual([oldSecret]);
    expect(signedWith(after!, [oldSecret, newSecret])).toEqual([newSecret]);

    await updateEndpoint(asOperator(), endpoint.id, { enabled: false });
    expect(await deliverMessage(orm, config, third.id)).toMatchObject({ kind: 'dead', reason: 'endpoint_disabled' });
    expect(received).toHaveLength(2);
  });
});
