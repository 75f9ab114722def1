import { describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { startTestApi, startTestWorkers, waitFor, type TestApi } from '../src';
import { scrape, sample } from '../src/prometheus';
import { startRefusingSmtpServer } from '../src/smtp-sink';
import { sendgridError, sesError, startSendgridDouble, startSesDouble, type ProviderDouble } from '../src/email-provider-doubles';

/**
 * SendGrid and Amazon SES through their official SDKs, against local servers speaking their APIs:
 * delivery, a provider error (not retried), and throttling (429, retried with backoff until sent).
 */
const providers: [string, () => Promise<ProviderDouble>, (double: ProviderDouble) => Record<string, string>, ReturnType<typeof sendgridError>, ReturnType<typeof sendgridError>][] = [
  [
    'sendgrid',
    startSendgridDouble,
    (double) => ({ EMAIL_PROVIDER: 'sendgrid', SENDGRID_API_KEY: 'SG.test-key', SENDGRID_API_URL: double.url }),
    sendgridError(400, 'The from address does not match a verified Sender Identity'),
    sendgridError(429, 'Too many requests', { 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 1) }),
  ],
  [
    'ses',
    startSesDouble,
    (double) => ({ EMAIL_PROVIDER: 'ses', SES_REGION: 'eu-west-1', SES_ENDPOINT: double.url, SES_ACCESS_KEY_ID: 'AKIDTEST', SES_SECRET_ACCESS_KEY: 'secret-test-key' }),
    sesError(400, 'MessageRejected', 'Email address is not verified.'),
    sesError(429, 'TooManyRequestsException', 'Maximum sending rate exceeded.'),
  ],
];

const signUp = (api: TestApi, email: string) =>
  api.rest('POST', '/v1/auth/sign-up', { token: null, body: { email, password: 'correct horse battery staple 9' } });

/** The email job to `to` once it has failed for good (read from the workers' queue). */
async function failedEmailJob(api: TestApi, to: string) {
  const connection = new Redis(api.config.REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('email', { connection, prefix: api.config.QUEUE_PREFIX });
  try {
    return await waitFor(async () => (await queue.getJobs(['failed'])).find((j) => j.data.to === to), `the job to ${to} to fail`, 20_000);
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

describe.each(providers)('the %s provider', (name, startDouble, settings, rejection, throttled) => {
  it('delivers, does not retry what the provider rejects, and retries a throttled message until it is sent', async () => {
    const double = await startDouble();
    const api = await startTestApi({ ...settings(double), EMAIL_FROM: 'accounts@plinto.test', AUTH_IP_RATE_LIMIT_PER_MINUTE: '10000' });
    const workers = await startTestWorkers(api.config);
    double.respond = (request, n) => {
      if (request.to.startsWith('rejected')) return rejection;
      if (request.to.startsWith('throttled') && n === 0) return throttled;
      return null;
    };

    // Delivery: the verification email, rendered, from the configured sender, through the SDK.
    expect((await signUp(api, 'person@example.com')).status).toBe(202);
    const [delivered] = await waitFor(() => (double.forRecipient('person@example.com').length ? double.forRecipient('person@example.com') : null), 'the delivery');
    expect(delivered).toMatchObject({ from: expect.stringContaining('accounts@plinto.test'), subject: expect.stringContaining('Verify your email') });
    expect(delivered!.text).toContain('/verify-email?token=');
    expect(delivered!.html).toContain('<a href=');
    if (name === 'sendgrid') expect(delivered!.headers.authorization).toBe('Bearer SG.test-key');
    else expect(delivered!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/eu-west-1\/ses\/aws4_request/);

    // Throttled (429) at first: retried with backoff, then delivered once.
    expect((await signUp(api, 'throttled@example.com')).status).toBe(202);
    await waitFor(() => double.forRecipient('throttled@example.com').length === 2, 'the retry after the 429', 30_000);

    // Rejected (400): the job fails for good after one try — no retries for hours.
    expect((await signUp(api, 'rejected@example.com')).status).toBe(202);
    const failed = await failedEmailJob(api, 'rejected@example.com');
    expect(failed.attemptsMade).toBe(1);
    expect(failed.failedReason).toContain(name === 'sendgrid' ? 'verified Sender Identity' : 'MessageRejected');
    expect(double.forRecipient('rejected@example.com')).toHaveLength(1);

    const metrics = await scrape(workers.metricsUrl);
    expect(sample(metrics, 'plinto_email_sent_total', { provider: name, template: 'email_verification' })).toBe(2);
    expect(sample(metrics, 'plinto_email_failed_total', { provider: name, retry: 'true' })).toBe(1);
    expect(sample(metrics, 'plinto_email_failed_total', { provider: name, retry: 'false' })).toBe(1);
  }, 60_000);
});

describe('the smtp provider', () => {
  it('delivers the composed message, does not retry a 5xx rejection, and retries a 4xx until it is sent', async () => {
    const { port, attempts, received } = await startRefusingSmtpServer({ refusePrefix: 'rejected', throttlePrefix: 'throttled' });
    const api = await startTestApi({ EMAIL_PROVIDER: 'smtp', SMTP_HOST: '127.0.0.1', SMTP_PORT: String(port), EMAIL_FROM: 'accounts@plinto.test', AUTH_IP_RATE_LIMIT_PER_MINUTE: '10000' });
    const workers = await startTestWorkers(api.config);

    expect((await signUp(api, 'person@example.com')).status).toBe(202);
    const delivered = await waitFor(() => received.find((m) => m.to === 'person@example.com'), 'the delivery');
    expect(delivered.raw).toMatch(/^From: .*<accounts@plinto\.test>$/m);
    expect(delivered.raw).toMatch(/^To: person@example\.com$/m);
    expect(delivered.raw).toMatch(/^Subject: .*Verify your email/m);
    expect(delivered.raw).toMatch(/^Message-ID: <.+>$/m);
    expect(delivered.raw).toContain('multipart/alternative');

    expect((await signUp(api, 'throttled@example.com')).status).toBe(202);
    await waitFor(() => received.some((m) => m.to === 'throttled@example.com'), 'the retry after the 451', 30_000);
    expect(attempts.get('throttled@example.com')).toBe(2);

    expect((await signUp(api, 'rejected@example.com')).status).toBe(202);
    const failed = await failedEmailJob(api, 'rejected@example.com');
    expect(failed.attemptsMade).toBe(1);
    expect(failed.failedReason).toContain('No such user');
    expect(attempts.get('rejected@example.com')).toBe(1);
    const metrics = await scrape(workers.metricsUrl);
    expect(sample(metrics, 'plinto_email_sent_total', { provider: 'smtp', template: 'email_verification' })).toBe(2);
    expect(sample(metrics, 'plinto_email_failed_total', { provider: 'smtp', retry: 'true' })).toBe(1);
    expect(sample(metrics, 'plinto_email_failed_total', { provider: 'smtp', retry: 'false' })).toBe(1);
  }, 60_000);
});
