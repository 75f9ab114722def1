import { Client } from '@sendgrid/client';
import { MailService } from '@sendgrid/mail';
import type { EmailConfig } from '@plinto/kernel';
import { EmailSendError, retryableStatus, type EmailProvider } from './provider';

/**
 * SendGrid's v3 Mail Send API through its official SDK (@sendgrid/mail), on a client of our own
 * (not the SDK's process-wide singleton) so its key and API origin are this configuration's.
 */
export function sendgridProvider(settings: EmailConfig): EmailProvider {
  const client = new Client();
  client.setApiKey(settings.SENDGRID_API_KEY!);
  client.setDefaultRequest('baseUrl', settings.SENDGRID_API_URL);
  // A hung connection must not hold a job forever.
  client.setDefaultRequest('timeout' as never, 30_000 as never);
  const mail = new MailService();
  mail.setClient(client);
  return {
    name: 'sendgrid',
    async send(email) {
      try {
        const [response] = await mail.send({
          from: { email: email.from.address, name: email.from.name },
          to: email.to.name ? { email: email.to.address, name: email.to.name } : email.to.address,
          subject: email.subject,
          text: email.text,
          html: email.html,
          // Links carry secrets: no click-tracking rewrite of them.
          trackingSettings: { clickTracking: { enable: false, enableText: false } },
        });
        const id = response.headers['x-message-id'];
        return { messageId: typeof id === 'string' ? id : null };
      } catch (error) {
        const status = (error as { code?: number }).code;
        const detail = (error as { response?: { body?: { errors?: { message?: string }[] } } }).response?.body?.errors?.[0]?.message;
        const httpStatus = typeof status === 'number' ? status : null;
        throw new EmailSendError(`SendGrid${httpStatus ? ` ${httpStatus}` : ''}: ${detail ?? (error as Error).message}`, retryableStatus(httpStatus), httpStatus);
      }
    },
  };
}
