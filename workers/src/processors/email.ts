import { UnrecoverableError, type Job } from 'bullmq';
import { EmailQueue, emailConfigSchema, emailFrom, emailTenantSettings, inSpan, readConfigSection, SpanKind, tenantSection, type Config, type EmailTemplate, type Logger, type MikroORM, type QueueProducers, type TenantRef } from '@plinto/kernel';
import { findTenantById } from '@plinto/tenants';
import { emailProvider } from '../email/providers';
import { EmailSendError } from '../email/provider';
import { workerMetrics } from '../metrics';
import { loadTemplate, renderTemplate, valuesOf } from '@plinto/email';
import { EMAIL_BATCH_JOB, emailBatchSchema } from '../email-batches';
import { retryJobOptions } from '../event-batches';
import { OutboxLinkScrubber, withoutLink } from './email-scrubber';

/**
 * Processes the `email` queue: renders the message (plain text + HTML) with the tenant's sender
 * name, and sends it through EMAIL_PROVIDER (SMTP, SendGrid, SES, or one log line in development).
 * A send that can succeed later (throttled, the provider's outage, the network) throws, so BullMQ
 * retries it with exponential backoff; one that cannot (a rejected address, bad credentials) fails
 * the job for good (UnrecoverableError) instead of retrying for hours. A job is one message or a
 * batch of them (email-batches.ts). Links carry secrets: they are never logged, and once the
 * provider has the message the link is scrubbed from the job and from its outbox row.
 */
export function emailProcessor(deps: { orm: MikroORM; config: Config; logger: Logger; producers?: QueueProducers; onClose?: (cleanup: () => void) => void }) {
  const settings = readConfigSection(deps.config, emailConfigSchema);
  const provider = emailProvider(deps.config, deps.logger);
  deps.onClose?.(() => void provider.close?.());

  // Tenants' sender names change rarely; a burst of invitations should not look one up per message.
  const tenants = new Map<string, { at: number; tenant: Promise<TenantRef | null> }>();
  const tenantOf = (id: string) => {
    const hit = tenants.get(id);
    if (hit && hit.at > Date.now() - TENANT_TTL_MS) return hit.tenant;
    const tenant = findTenantById(deps.orm.em.fork(), id);
    tenants.set(id, { at: Date.now(), tenant });
    tenant.catch(() => tenants.delete(id));
    return tenant;
  };
  // A tenant's own wording (email templates API), else Plinto's; cached as briefly as the tenant.
  const templates = new Map<string, { at: number; source: ReturnType<typeof loadTemplate> }>();
  const templateOf = (tenantId: string, template: EmailTemplate) => {
    const key = `${tenantId}:${template}`;
    const hit = templates.get(key);
    if (hit && hit.at > Date.now() - TENANT_TTL_MS) return hit.source;
    if (templates.size > 10_000) templates.clear();
    const source = loadTemplate(deps.orm.em.fork(), tenantId, template);
    templates.set(key, { at: Date.now(), source });
    source.catch(() => templates.delete(key));
    return source;
  };
  const scrubber = new OutboxLinkScrubber(deps);
  deps.onClose?.(() => scrubber.flush());
  // Every send takes a slot, whether its job holds one message or a batch: as many messages in
  // flight as EMAIL_CONCURRENCY, however the relay grouped them.
  const slots = new Slots(settings.EMAIL_CONCURRENCY);

  /** Renders and sends one message; rejects with the provider's error, logged and counted. */
  const send = async (data: unknown, job: Job, willRetryOnFailure: (error: unknown) => boolean): Promise<{ messageId: string | null }> => {
    const message = EmailQueue.payload.parse(data);
    const tenant = await tenantOf(message.tenantId);
    if (!tenant) throw new Error(`No tenant ${message.tenantId} for an email`);
    const appName = tenantSection(tenant, emailTenantSettings).emailSenderName ?? tenant.name;
    const rendered = renderTemplate(message.template, await templateOf(message.tenantId, message.template), valuesOf(message, appName));
    const meta = { jobId: job.id, template: message.template, tenantId: message.tenantId, attempt: job.attemptsMade + 1, provider: provider.name };
    const sent = await slots
      .run(() =>
        inSpan('plinto-workers', 'email.send', { kind: SpanKind.CLIENT, attributes: { 'plinto.email.provider': provider.name, 'plinto.email.template': message.template } }, () =>
          provider.send({ from: { name: appName, address: emailFrom(settings) }, to: { name: message.name, address: message.to }, subject: rendered.subject, text: rendered.text, html: rendered.html }),
        ),
      )
      .catch((error: unknown) => {
        const willRetry = willRetryOnFailure(error);
        workerMetrics.emailFailed(provider.name, willRetry);
        deps.logger.warn({ ...meta, err: error, willRetry }, 'email not sent');
        throw error;
      });
    workerMetrics.emailSent(provider.name, message.template);
    if (provider.name !== 'log') deps.logger.info({ ...meta, messageId: sent.messageId }, 'email sent');
    return sent;
  };

  return async (job: Job): Promise<Record<string, unknown>> => {
    if (job.name === EMAIL_BATCH_JOB) return sendBatch(job);
    // A message of a batch that failed for good, kept as a failed job of its own (see sendBatch).
    const failure = (job.data as { permanentFailure?: unknown }).permanentFailure;
    if (typeof failure === 'string') throw new UnrecoverableError(failure);
    const sent = await send(job.data, job, (error) => retryable(error) && job.attemptsMade + 1 < (job.opts.attempts ?? 1)).catch((error: unknown) => {
      throw retryable(error) ? error : new UnrecoverableError((error as Error).message);
    });
    if ((job.data as { link?: unknown }).link) scrubber.add({ job, outboxIds: [outboxIdOf(job.id!)], data: withoutLink(job.data as Record<string, unknown>) });
    return sent;
  };

  /**
   * A batch's messages are sent side by side (each in a slot). One that fails is not retried with
   * the batch, which would send the others again: a retryable failure gets a job of its own with
   * the attempts and backoff a lone message has left after a first failure; a permanent one a job
   * that fails at once with the provider's reason, so it sits among the failed jobs as a lone
   * message's would. If those jobs cannot be added the batch job fails and is retried whole: its
   * sent messages go again (at least once, as after a crash mid-batch), none is lost.
   */
  async function sendBatch(job: Job): Promise<Record<string, unknown>> {
    const batch = emailBatchSchema.parse(job.data);
    const attempts = EmailQueue.defaultJobOptions.attempts ?? 1;
    const outcomes = await Promise.all(batch.emails.map((email) => send(email, job, (error) => retryable(error) && attempts > 1).then(() => undefined, (error: unknown) => error as Error)));
    const failed = outcomes.flatMap((error, i) => (error ? [{ i, error }] : []));
    if (failed.length > 0) {
      if (!deps.producers) throw failed[0]!.error; // a processor run on its own (tests): the batch is retried whole
      await deps.producers.get(EmailQueue.name).addBulk(
        failed.map(({ i, error }) =>
          retryable(error)
            ? { name: String(batch.emails[i]!.template ?? 'email'), data: batch.emails[i]!, opts: retryJobOptions(batch.outboxIds[i]!, EmailQueue.defaultJobOptions) }
            : { name: String(batch.emails[i]!.template ?? 'email'), data: { ...withoutLink(batch.emails[i]!), permanentFailure: error.message }, opts: { jobId: `failed-${batch.outboxIds[i]!}`, attempts: 1 } },
        ),
      );
    }
    // The outbox rows' links go now; a message retried on its own carries its link in its own job.
    scrubber.add({ job, outboxIds: batch.outboxIds, data: { ...batch, emails: batch.emails.map(withoutLink) } });
    return { sent: batch.emails.length - failed.length, failed: failed.length };
  }
}

const TENANT_TTL_MS = 5_000;

/** Whether trying the send again can help (throttled, the provider's outage, the network). */
const retryable = (error: unknown) => !(error instanceof EmailSendError) || error.retryable;

/** The outbox row a job's message came from: a lone message's job id, or a retried one's without its prefix. */
const outboxIdOf = (jobId: string) => jobId.replace(/^retry-/, '');

/** At most `size` of the given work at once; the rest waits its turn. */
class Slots {
  private readonly waiting: Array<() => void> = [];

  constructor(private free: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}
