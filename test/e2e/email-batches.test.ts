import { describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { signedInUser, startTestApi, startTestWorkers, waitFor } from '../src';
import { scrape, sample } from '../src/prometheus';
import { startRefusingSmtpServer } from '../src/smtp-sink';
import { as, createOrg, sql } from './invitations-support';

/**
 * The relay hands a commit's emails to the email worker several to a job. A bulk invitation to a
 * real SMTP server that refuses some recipients (550) and throttles others once (451): every
 * message goes out exactly once, a throttled one is retried on its own (its batch is not re-sent),
 * a refused one fails for good as a failed job of its own, and no link is left in the outbox or
 * in the finished jobs.
 */
describe('emails sent several to a job', () => {
  it('sends each message of a bulk invitation once, retries a throttled one alone, fails a refused one alone, and scrubs every link', async () => {
    const { port, attempts, deliveredTo } = await startRefusingSmtpServer({ refusePrefix: 'refused', throttlePrefix: 'throttled' });
    let connection: Redis | undefined;
    try {
      const api = await startTestApi({ EMAIL_PROVIDER: 'smtp', SMTP_HOST: '127.0.0.1', SMTP_PORT: String(port), EMAIL_FROM: 'team@acme.test', AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000' });
      const workers = await startTestWorkers(api.config);
      connection = new Redis(api.config.REDIS_URL, { maxRetriesPerRequest: null });
      expect((await api.rest('POST', '/v1/tenants', { body: { slug: 'batches', name: 'Batches', settings: { appUrl: 'https://app.batches.test' } } })).status).toBe(201);
      const owner = await signedInUser(api, { email: 'owner@batches.test', tenant: 'batches' });
      await waitFor(() => deliveredTo('owner@batches.test').length > 0, 'the owner’s verification email');
      const org = await createOrg(api, owner.token, { slug: 'crew', name: 'Crew' });

      const ok = Array.from({ length: 39 }, (_, i) => `person-${i}@example.com`);
      const throttled = ['throttled-1@example.com', 'throttled-2@example.com', 'throttled-3@example.com'];
      const refused = ['refused-1@example.com', 'refused-2@example.com', 'refused-3@example.com'];
      const everyone = [...ok, ...throttled, ...refused];
      const res = await as(api, owner.token)('POST', '/v1/invitations/bulk', { organizationId: org.id, invitations: everyone.map((email) => ({ email })) });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.created).toBe(everyone.length);

      const queue = new Queue('email', { connection, prefix: api.config.QUEUE_PREFIX });
      try {
        // Settled: every invitation email delivered or failed, and nothing left to run.
        await waitFor(async () => {
          const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
          const idle = Object.values(counts).every((n) => n === 0);
          return idle && [...ok, ...throttled].every((to) => deliveredTo(to).length > 0) && (await queue.getJobs(['failed'])).length >= refused.length;
        }, 'every invitation email delivered or failed', 60_000);

        for (const to of [...ok, ...throttled]) expect(deliveredTo(to), to).toHaveLength(1);
        for (const to of throttled) expect(attempts.get(to), to).toBe(2);
        for (const to of refused) expect(attempts.get(to), to).toBe(1);

        const completed = await queue.getJobs(['completed']);
        const batches = completed.filter((job) => job.name === 'email.batch');
        expect(batches.length, 'the commit’s emails went several to a job').toBeGreaterThan(0);
        // Retried alone, with the attempts a lone message has left.
        const retried = completed.filter((job) => job.id!.startsWith('retry-'));
        expect(retried.map((job) => job.data.to).sort()).toEqual(throttled);
        // Refused: one failed job each, as a lone message's would be, carrying the server's reason.
        const failed = await queue.getJobs(['failed']);
        expect(failed.map((job) => job.data.to).sort()).toEqual(refused);
        for (const job of failed) {
          expect(job.attemptsMade).toBe(1);
          expect(job.failedReason).toContain('No such user');
        }

        // No link left behind: not in the outbox rows, not in the finished jobs.
        await waitFor(
          async () => (await sql(api, "select count(*)::int as n from outbox where queue = 'email' and payload ? 'link'"))[0].n === 0,
          'the outbox rows scrubbed',
        );
        await waitFor(async () => {
          const jobs = [...(await queue.getJobs(['completed'])), ...(await queue.getJobs(['failed']))];
          return jobs.every((job) => (job.name === 'email.batch' ? job.data.emails.every((e: Record<string, unknown>) => !('link' in e)) : !('link' in job.data)));
        }, 'the finished jobs scrubbed');

        const metrics = await scrape(workers.metricsUrl);
        expect(sample(metrics, 'plinto_email_sent_total', { provider: 'smtp', template: 'invitation' })).toBe(ok.length + throttled.length);
        expect(sample(metrics, 'plinto_email_failed_total', { provider: 'smtp', retry: 'true' })).toBe(throttled.length);
        expect(sample(metrics, 'plinto_email_failed_total', { provider: 'smtp', retry: 'false' })).toBe(refused.length);
      } finally {
        await queue.close();
      }
    } finally {
      connection?.disconnect();
    }
  }, 120_000);
});
