import { describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { createRedis, type Logger } from '@plinto/kernel';
import { freePort, startTestApi, startTestWorkers, waitFor } from '../src';
import { extractLink, startSmtpSink } from '../src/smtp-sink';
import { emailProcessor } from '../../workers/src/processors/email';
import { anon, sql } from './auth-helpers';

describe('the email worker', () => {
  it('retries with backoff while SMTP is down, delivers once it is up, then scrubs the link', async () => {
    const port = await freePort();
    const api = await startTestApi({ EMAIL_PROVIDER: 'smtp', SMTP_HOST: '127.0.0.1', SMTP_PORT: String(port), AUTH_IP_RATE_LIMIT_PER_MINUTE: '1000' });
    const workers = await startTestWorkers(api.config);
    expect((await anon(api, 'default')('POST', '/v1/auth/sign-up', { email: 'retry@example.com', password: 'correct horse battery staple' })).status).toBe(202);
    const [outboxRow] = await waitFor(async () => {
      const rows = await sql(api, `select id from outbox where queue = 'email' and dispatched_at is not null`);
      return rows.length ? rows : null;
    }, 'the email job to be dispatched');
    const queue = new Queue('email', { connection: createRedis(api.config.REDIS_URL, 'worker', 'probe'), prefix: api.config.QUEUE_PREFIX });
    try {
      await waitFor(async () => ((await queue.getJob(outboxRow.id))?.attemptsMade ?? 0) >= 1, 'a failed first attempt');
      const smtp = await startSmtpSink(port);
      const mail = await smtp.waitForEmail('retry@example.com', /Verify/, 20_000);
      expect(extractLink(mail).searchParams.get('token')).toBeTruthy();
      const job = await waitFor(async () => {
        const j = await queue.getJob(outboxRow.id);
        return (await j?.isCompleted()) ? j : null;
      }, 'the job to complete');
      // At least one failed attempt while SMTP was down, then the one that delivered.
      expect(job.attemptsStarted).toBeGreaterThanOrEqual(2);
      // The secret link does not linger in the job or the outbox once the message left (both are
      // scrubbed in batches, within a moment of sending).
      await waitFor(async () => (await queue.getJob(outboxRow.id))?.data.link === undefined, 'the job to be scrubbed');
      // The outbox rows are scrubbed in batches, within a moment of sending.
      const row = await waitFor(async () => {
        const [r] = await sql(api, `select payload from outbox where id = $1`, [outboxRow.id]);
        return r.payload.link === undefined ? r : null;
      }, 'the outbox row to be scrubbed');
      expect(row.payload.template).toBe('email_verification');
    } finally {
      await queue.close();
    }
    void workers;
  }, 45_000);

  it('with EMAIL_PROVIDER=log sends nothing and never writes the link (or token) to the log', async () => {
    const api = await startTestApi({});
    const lines: string[] = [];
    // Captures every log call with its structured fields, as pino would serialise them.
    const capture = (obj: unknown, msg?: string) => void lines.push(`${JSON.stringify(obj)} ${msg ?? ''}`);
    const logger = { info: capture, warn: capture, debug: capture, error: capture, trace: capture } as unknown as Logger;
    const process = emailProcessor({ orm: api.server.orm, config: { ...api.config, EMAIL_PROVIDER: 'log' } as typeof api.config, logger });
    const tenant = await api.rest('GET', '/v1/tenants/default');
    const token = 'secret-token-value-1234567890';
    const job = { id: 'job-1', attemptsMade: 0, data: { template: 'magic_link', tenantId: tenant.body.id, to: 'log@example.com', link: `https://app.test/magic-link?token=${token}`, expiresInMinutes: 10 }, updateData: async () => undefined };
    await process(job as never);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toContain(token);
  });
});
