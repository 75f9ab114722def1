import type { Job } from 'bullmq';
import nodemailer, { type Transporter } from 'nodemailer';
import { EmailQueue, emailConfigSchema, emailTenantSettings, readConfigSection, tenantSection, type Config, type Logger, type MikroORM, type TenantRef } from '@plinto/kernel';
import { findTenantById } from '@plinto/tenants';
import { renderEmail } from './email/templates';

/**
 * Processes the `email` queue: renders the template (plain text + HTML) with the tenant's sender
 * name, and sends it over SMTP with nodemailer (`EMAIL_PROVIDER=smtp`) or writes one log line
 * (`log`, for development). A failed send throws, so BullMQ retries it with exponential backoff.
 * Links carry secrets: they are never logged, and once the message is handed to the SMTP server
 * the link is scrubbed from the job and from its outbox row.
 */
export function emailProcessor(deps: { orm: MikroORM; config: Config; logger: Logger; onClose?: (cleanup: () => void) => void }) {
  const settings = readConfigSection(deps.config, emailConfigSchema);
  let transport: Transporter | undefined;
  const smtp = () =>
    (transport ??= nodemailer.createTransport({
      host: settings.SMTP_HOST,
      port: settings.SMTP_PORT,
      secure: settings.SMTP_SECURE === 'true',
      auth: settings.SMTP_USERNAME ? { user: settings.SMTP_USERNAME, pass: settings.SMTP_PASSWORD ?? '' } : undefined,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
      // Reuse SMTP connections (one per concurrent job): a new connection + greeting per message
      // capped sending at ~70/s here; pooled it is several hundred.
      pool: true,
      maxConnections: settings.EMAIL_CONCURRENCY,
      maxMessages: 500,
    }));
  deps.onClose?.(() => transport?.close());

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
  const scrubber = new OutboxLinkScrubber(deps);
  deps.onClose?.(() => scrubber.flush());

  return async (job: Job): Promise<{ messageId: string | null }> => {
    const message = EmailQueue.payload.parse(job.data);
    const tenant = await tenantOf(message.tenantId);
    if (!tenant) throw new Error(`No tenant ${message.tenantId} for an email`);
    const appName = tenantSection(tenant, emailTenantSettings).emailSenderName ?? tenant.name;
    const rendered = renderEmail(message, appName);
    const meta = { jobId: job.id, template: message.template, tenantId: message.tenantId, attempt: job.attemptsMade + 1 };
    let messageId: string | null = null;
    if (settings.EMAIL_PROVIDER === 'log') {
      deps.logger.info({ ...meta, subject: rendered.subject }, 'email (log provider; not sent)');
    } else {
      const info = await smtp().sendMail({
        from: { name: appName, address: settings.SMTP_FROM_EMAIL },
        to: message.name ? { name: message.name, address: message.to } : message.to,
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
      });
      messageId = info.messageId ?? null;
      deps.logger.info({ ...meta, messageId }, 'email sent');
    }
    if (message.link) scrubber.add(job);
    return { messageId };
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

  constructor(private readonly deps: { orm: MikroORM; logger: Logger }) {}

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
    await Promise.all(
      jobs.map((job) => {
        const { link: _link, ...rest } = job.data as Record<string, unknown>;
        return job.updateData(rest).catch((error: unknown) => this.deps.logger.warn({ err: error, jobId: job.id }, 'could not scrub email link from the job'));
      }),
    );
    await this.deps.orm.em
      .fork()
      .execute(`update outbox set payload = payload - 'link' where id in (${ids.map(() => '?').join(', ')})`, ids)
      .catch((error: unknown) => this.deps.logger.warn({ err: error, count: ids.length }, 'could not scrub email links from the outbox'));
  }
}
