import type { Job } from 'bullmq';
import nodemailer, { type Transporter } from 'nodemailer';
import { EmailQueue, emailConfigSchema, readConfigSection, type Config, type Logger, type MikroORM } from '@plinto/kernel';
import { getTenant } from '@plinto/tenants';
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

  return async (job: Job): Promise<{ messageId: string | null }> => {
    const message = EmailQueue.payload.parse(job.data);
    const tenant = await getTenant(deps.orm.em.fork(), message.tenantId);
    const appName = tenant.settings.emailSenderName ?? tenant.name;
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
    if (message.link) await scrubLink(deps, job).catch((error: unknown) => deps.logger.warn({ err: error, jobId: job.id }, 'could not scrub email link'));
    return { messageId };
  };
}

async function scrubLink(deps: { orm: MikroORM }, job: Job): Promise<void> {
  const { link: _link, ...rest } = job.data as Record<string, unknown>;
  await job.updateData(rest);
  await deps.orm.em.fork().execute(`update outbox set payload = payload - 'link' where id = ?`, [job.id]);
}
