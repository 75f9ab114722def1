import { UnrecoverableError, type Job } from 'bullmq';
import { EmailQueue, emailConfigSchema, emailFrom, emailTenantSettings, inSpan, readConfigSection, SpanKind, tenantSection, type Config, type EmailTemplate, type Logger, type MikroORM, type QueueProducers, type TenantRef } from '@plinto/kernel';
import { findTenantById } from '@plinto/tenants';
import { emailProvider } from '../email/providers';
import { EmailSendError } from '../email/provider';
import { workerMetrics } from '../metrics';
import { loadTemplate, renderTemplate, valuesOf } from '@plinto/email';

/**
 * Processes the `email` queue: renders the message (plain text + HTML) with the tenant's sender
 * name, and sends it through EMAIL_PROVIDER (SMTP, SendGrid, SES, or one log line in development).
 * A send that can succeed later (throttled, the provider's outage, the network) throws, so BullMQ
 * retries it with exponential backoff; one that cannot (a rejected address, bad credentials) fails
 * the job for good (UnrecoverableError) instead of retrying for hours. Links carry secrets: they
 * are never logged, and once the provider has the message the link is scrubbed from the job and
 * from its outbox row.
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

  return async (job: Job): Promise<{ messageId: string | null }> => {
    const message = EmailQueue.payload.parse(job.data);
    const tenant = await tenantOf(message.tenantId);
    if (!tenant) throw new Error(`No tenant ${message.tenantId} for an email`);
    const appName = tenantSection(tenant, emailTenantSettings).emailSenderName ?? tenant.name;
    const rendered = renderTemplate(message.template, await templateOf(message.tenantId, message.template), valuesOf(message, appName));
    const meta = { jobId: job.id, template: message.template, tenantId: message.tenantId, attempt: job.attemptsMade + 1, provider: provider.name };
    const sent = await inSpan('plinto-workers', 'email.send', { kind: SpanKind.CLIENT, attributes: { 'plinto.email.provider': provider.name, 'plinto.email.template': message.template } }, () =>
      provider.send({ from: { name: appName, address: emailFrom(settings) }, to: { name: message.name, address: message.to }, subject: rendered.subject, text: rendered.text, html: rendered.html }),
    ).catch((error: unknown) => {
      const retryable = !(error instanceof EmailSendError) || error.retryable;
      const willRetry = retryable && job.attemptsMade + 1 < (job.opts.attempts ?? 1);
      workerMetrics.emailFailed(provider.name, willRetry);
      deps.logger.warn({ ...meta, err: error, willRetry }, 'email not sent');
      throw retryable ? error : new UnrecoverableError((error as Error).message);
    });
    workerMetrics.emailSent(provider.name, message.template);
    if (provider.name !== 'log') deps.logger.info({ ...meta, messageId: sent.messageId }, 'email sent');
    if (message.link) scrubber.add(job);
    return sent;
  };
}

const TENANT_TTL_MS = 5_000;

/**
 * Removes sent links from their jobs and outbox rows in batches (every 50 ms or 500 messages, one
 * UPDATE for the rows), off the path of the message itself: a bulk invitation sends hundreds per second.
 */
class OutboxLinkScrubber {
  private jobs: Job[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: { orm: MikroORM; logger: Logger; producers?: QueueProducers }) {}

  add(job: Job): void {
    this.jobs.push(job);
    if (this.jobs.length >= 500) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), 50);
  }

  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const jobs = this.jobs.splice(0);
    if (jobs.length === 0) return;
    const ids = jobs.map((job) => job.id!);
    await this.scrubJobs(jobs);
    await this.deps.orm.em
      .fork()
      .execute(`update outbox set payload = payload - 'link' where id in (${ids.map(() => '?').join(', ')})`, ids)
      .catch((error: unknown) => this.deps.logger.warn({ err: error, count: ids.length }, 'could not scrub email links from the outbox'));
  }

  private async scrubJobs(jobs: Job[]): Promise<void> {
    const withoutLink = (job: Job) => {
      const { link: _link, ...rest } = job.data as Record<string, unknown>;
      return rest;
    };
    if (!this.deps.producers) {
      // A processor run on its own (tests): one command per job.
      await Promise.all(jobs.map((job) => job.updateData(withoutLink(job)).catch((error: unknown) => this.deps.logger.warn({ err: error, jobId: job.id }, 'could not scrub email link from the job'))));
      return;
    }
    // One pipelined round trip for the batch (job.updateData would send one command per job).
    await this.deps.producers
      .get(EmailQueue.name)
      .backend.client.then((redis) => {
        const pipeline = redis.pipeline();
        for (const job of jobs) pipeline.runCommand('eval', [SCRUB_JOB_DATA, 1, `${job.queueQualifiedName}:${job.id}`, JSON.stringify(withoutLink(job))]);
        return pipeline.exec();
      })
      .then((results) => {
        const failed = (results ?? []).filter(([error]) => error).length;
        if (failed > 0) this.deps.logger.warn({ count: failed }, 'could not scrub email links from some jobs');
      })
      .catch((error: unknown) => this.deps.logger.warn({ err: error, count: jobs.length }, 'could not scrub email links from the jobs'));
  }
}

/** Replaces a job's data only if the job still exists (BullMQ's own updateData does the same). */
const SCRUB_JOB_DATA = `if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'data', ARGV[1]) end return 0`;
