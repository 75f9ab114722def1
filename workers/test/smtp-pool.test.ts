import { afterEach, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { waitFor } from '@plinto/kernel/testing';
import { SmtpPool } from '../src/email/smtp-pool';
import { smtpProvider } from '../src/email/smtp';
import { EmailSendError } from '../src/email/provider';
import type { EmailConfig } from '@plinto/kernel';

// The email worker's own SMTP connection pool against a real SMTP server on loopback, which
// counts the connections it sees: reuse, a refused recipient, a connection the server drops,
// retirement after maxMessages, AUTH, and the concurrency ceiling.

interface Sink {
  port: number;
  delivered: string[];
  connections: number;
  open: number;
  mostOpen: number;
  close(): Promise<void>;
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function sink(options: Partial<SMTPServerOptions> = {}, port = 0): Promise<Sink> {
  const state = { delivered: [] as string[], connections: 0, open: 0, mostOpen: 0 };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    disableReverseLookup: true,
    logger: false,
    onConnect(_session, callback) {
      state.connections++;
      state.mostOpen = Math.max(state.mostOpen, ++state.open);
      callback();
    },
    onClose() {
      state.open--;
    },
    onRcptTo(address, _session, callback) {
      if (address.address.startsWith('refused')) return callback(Object.assign(new Error('No such user'), { responseCode: 550 }));
      callback();
    },
    onData(stream, session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        state.delivered.push(session.envelope.rcptTo[0]!.address);
        callback();
      });
    },
    ...options,
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  cleanups.push(close);
  return Object.assign(state, { port: (server.server.address() as AddressInfo).port, close });
}

function pool(port: number, options: { maxConnections?: number; maxMessages?: number; auth?: { user: string; pass: string } } = {}) {
  const smtp = new SmtpPool({ connection: { host: '127.0.0.1', port, socketTimeout: 30_000 }, maxConnections: options.maxConnections ?? 2, maxMessages: options.maxMessages ?? 500, auth: options.auth });
  cleanups.push(() => smtp.close());
  return smtp;
}

const raw = (to: string) => Buffer.from(`From: a@plinto.test\r\nTo: ${to}\r\nSubject: test\r\n\r\nbody\r\n`);
const send = (smtp: SmtpPool, to: string) => smtp.send({ from: 'a@plinto.test', to: [to] }, raw(to));

describe('the SMTP connection pool', () => {
  it('reuses its connections and never opens more than maxConnections', async () => {
    const server = await sink();
    const smtp = pool(server.port, { maxConnections: 3 });
    const recipients = Array.from({ length: 30 }, (_, i) => `p${i}@example.com`);
    await Promise.all(recipients.map((to) => send(smtp, to)));
    expect(server.delivered.sort()).toEqual([...recipients].sort());
    expect(server.mostOpen).toBeLessThanOrEqual(3);
    expect(server.connections).toBeLessThanOrEqual(3);
    await Promise.all(recipients.map((to) => send(smtp, to)));
    expect(server.connections).toBeLessThanOrEqual(3);
  });

  it('keeps the connection after the server refuses a recipient, and sends the next message on it', async () => {
    const server = await sink();
    const smtp = pool(server.port, { maxConnections: 1 });
    await send(smtp, 'first@example.com');
    await expect(send(smtp, 'refused@example.com')).rejects.toMatchObject({ responseCode: 550, code: 'EENVELOPE' });
    await send(smtp, 'after@example.com');
    expect(server.delivered).toEqual(['first@example.com', 'after@example.com']);
    expect(server.connections).toBe(1);
  });

  it('does not reuse a connection the server closed while it was idle', async () => {
    // The server drops a connection idle for 300 ms.
    const server = await sink({ socketTimeout: 300 });
    const smtp = pool(server.port, { maxConnections: 1 });
    await send(smtp, 'before@example.com');
    await waitFor(() => server.open === 0 && smtp.openConnections() === 0, 'the server to drop the idle connection, and the pool to notice');
    await send(smtp, 'after@example.com');
    expect(server.delivered).toEqual(['before@example.com', 'after@example.com']);
    expect(server.connections).toBe(2);
  });

  it('retires a connection after maxMessages and goes on with a fresh one', async () => {
    const server = await sink();
    const smtp = pool(server.port, { maxConnections: 1, maxMessages: 3 });
    for (let i = 0; i < 7; i++) await send(smtp, `m${i}@example.com`);
    expect(server.delivered).toHaveLength(7);
    expect(server.connections).toBe(3);
  });

  it('signs in when the server wants AUTH, and a wrong password fails for good (not retried)', async () => {
    const server = await sink({
      authOptional: false,
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      onAuth(auth, _session, callback) {
        if (auth.username === 'plinto' && auth.password === 'right') return callback(null, { user: auth.username });
        callback(Object.assign(new Error('Invalid credentials'), { responseCode: 535 }));
      },
    });
    await send(pool(server.port, { auth: { user: 'plinto', pass: 'right' } }), 'signed-in@example.com');
    expect(server.delivered).toEqual(['signed-in@example.com']);

    const settings = { SMTP_HOST: '127.0.0.1', SMTP_PORT: server.port, SMTP_SECURE: 'false', SMTP_USERNAME: 'plinto', SMTP_PASSWORD: 'wrong', EMAIL_CONCURRENCY: 2 } as unknown as EmailConfig;
    const provider = smtpProvider(settings);
    cleanups.push(() => provider.close?.());
    const email = { from: { name: 'Acme', address: 'a@plinto.test' }, to: { address: 'nobody@example.com' }, subject: 's', text: 't', html: '<p>t</p>' };
    const failure = await provider.send(email).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(EmailSendError);
    expect(failure).toMatchObject({ retryable: false, status: 535 });
  });

  it('a server that is down fails the send as retryable, and the pool recovers once it is up', async () => {
    const server = await sink();
    const port = server.port;
    await server.close();
    const settings = { SMTP_HOST: '127.0.0.1', SMTP_PORT: port, SMTP_SECURE: 'false', EMAIL_CONCURRENCY: 2 } as unknown as EmailConfig;
    const provider = smtpProvider(settings);
    cleanups.push(() => provider.close?.());
    const email = { from: { name: 'Acme', address: 'a@plinto.test' }, to: { address: 'later@example.com' }, subject: 's', text: 't', html: '<p>t</p>' };
    await expect(provider.send(email)).rejects.toMatchObject({ retryable: true });

    // Up again on the same port, so the provider's settings still point at it.
    const again = await sink({}, port);
    await expect(provider.send(email)).resolves.toMatchObject({ messageId: expect.stringMatching(/@plinto\.test>$/) });
    expect(again.delivered).toEqual(['later@example.com']);
    await provider.close?.(); // before the server's own cleanup, which waits for open connections
  });

  it('closing it says goodbye on every idle connection', async () => {
    const server = await sink();
    const smtp = pool(server.port, { maxConnections: 3 });
    await Promise.all(['a', 'b', 'c'].map((name) => send(smtp, `${name}@example.com`)));
    expect(server.open).toBeGreaterThan(0);
    smtp.close();
    await waitFor(() => server.open === 0, 'the server to see every connection close');
    await expect(send(smtp, 'late@example.com')).rejects.toThrow(/closed/);
  });
});
