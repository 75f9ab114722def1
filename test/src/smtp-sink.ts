import { SMTPServer } from 'smtp-server';
import { waitFor } from '@plinto/kernel/testing';
import { onCleanup } from './harness';

export interface ReceivedEmail {
  from: string;
  to: string[];
  subject: string;
  /** The whole message with quoted-printable undone (headers, text and HTML parts). */
  body: string;
  raw: string;
}

/** Undoes quoted-printable (soft breaks and =XX bytes), decoding the bytes as UTF-8. */
function decodeQuotedPrintable(raw: string): string {
  const joined = raw.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const hex = joined.slice(i + 1, i + 3);
    if (joined[i] === '=' && /^[0-9A-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(joined[i]!, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * A real SMTP server on loopback (ephemeral port) that keeps what it receives: the email worker
 * delivers to it over SMTP exactly as it would to a provider. No TLS, no auth: loopback only.
 */
export async function startSmtpSink(port = 0) {
  const messages: ReceivedEmail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const body = decodeQuotedPrintable(raw);
        const subject = /^Subject: (.*)$/m.exec(raw)?.[1]?.trim() ?? '';
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          subject,
          body,
          raw,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const boundPort = (server.server.address() as { port: number }).port;
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  onCleanup(close);
  return {
    port: boundPort,
    messages,
    /** Waits for the next message to `to` whose subject matches, after `skip` earlier ones. */
    async waitForEmail(to: string, subject: RegExp, timeoutMs = 15_000): Promise<ReceivedEmail> {
      return waitFor(() => messages.find((m) => m.to.includes(to) && subject.test(m.subject)), `an email to ${to} matching ${subject}`, timeoutMs);
    },
    /** Removes and returns every message to `to` (so the next wait sees only new mail). */
    take(to: string): ReceivedEmail[] {
      const mine = messages.filter((m) => m.to.includes(to));
      for (const m of mine) messages.splice(messages.indexOf(m), 1);
      return mine;
    },
    close,
  };
}

/** The link (with its `token` query parameter) an email carries. */
export function extractLink(email: ReceivedEmail): URL {
  const match = /https?:\/\/[^\s"<>]+[?&]token=[A-Za-z0-9_-]+/.exec(email.body);
  if (!match) throw new Error(`no link in email "${email.subject}"`);
  return new URL(match[0]);
}

/**
 * A real SMTP server on loopback that answers RCPT TO as a mail server would: 550 for an address
 * starting with `refusePrefix`, 451 (try again later) the first time for one starting with
 * `throttlePrefix`. It records every RCPT TO attempt per address and every delivered message.
 * Closed by the test's cleanup, without waiting for the workers' pooled connections.
 */
export async function startRefusingSmtpServer(options: { refusePrefix: string; throttlePrefix: string }) {
  const attempts = new Map<string, number>();
  const received: { to: string; raw: string }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    disableReverseLookup: true,
    logger: false,
    // The workers still hold their pooled connections when the server closes; don't wait 30 s for them.
    closeTimeout: 100,
    onRcptTo(address, _session, callback) {
      const n = attempts.get(address.address) ?? 0;
      attempts.set(address.address, n + 1);
      if (address.address.startsWith(options.refusePrefix)) return callback(Object.assign(new Error('No such user'), { responseCode: 550 }));
      if (address.address.startsWith(options.throttlePrefix) && n === 0) return callback(Object.assign(new Error('Try again later'), { responseCode: 451 }));
      callback();
    },
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      stream.on('end', () => {
        received.push({ to: session.envelope.rcptTo[0]!.address, raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return {
    port: (server.server.address() as { port: number }).port,
    attempts,
    received,
    /** The messages delivered to `to`. */
    deliveredTo: (to: string) => received.filter((m) => m.to === to),
  };
}
