import type { EmailConfig } from '@plinto/kernel';
import { composeMessage } from './mime';
import { EmailSendError, type EmailProvider } from './provider';
import { SmtpPool } from './smtp-pool';

/** SMTP: messages composed in one piece and sent over reused connections (one per concurrent job). */
export function smtpProvider(settings: EmailConfig): EmailProvider {
  let pool: SmtpPool | undefined;
  const smtp = () =>
    (pool ??= new SmtpPool({
      connection: {
        host: settings.SMTP_HOST,
        port: settings.SMTP_PORT,
        secure: settings.SMTP_SECURE === 'true',
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 30_000,
      },
      auth: settings.SMTP_USERNAME ? { user: settings.SMTP_USERNAME, pass: settings.SMTP_PASSWORD ?? '' } : undefined,
      // Reused connections: a new connection and greeting per message capped sending at ~70/s here.
      maxConnections: settings.EMAIL_CONCURRENCY,
      maxMessages: 500,
    }));
  return {
    name: 'smtp',
    async send(email) {
      try {
        const { messageId, raw } = composeMessage(email);
        await smtp().send({ from: email.from.address, to: [email.to.address] }, raw);
        return { messageId };
      } catch (error) {
        // SMTP 5xx replies are permanent (RFC 5321 §4.2.1), 4xx and connection failures transient.
        const code = (error as { responseCode?: number }).responseCode;
        throw new EmailSendError(`SMTP: ${(error as Error).message}`, !(code && code >= 500), code ?? null);
      }
    },
    close: () => pool?.close(),
  };
}
