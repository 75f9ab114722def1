import { emailConfigSchema, readConfigSection, type Config, type Logger } from '@plinto/kernel';
import type { EmailProvider } from './provider';
import { smtpProvider } from './smtp';
import { sendgridProvider } from './sendgrid';
import { sesProvider } from './ses';

/** The provider EMAIL_PROVIDER names (its settings were checked when the configuration loaded). */
export function emailProvider(config: Config, logger: Logger): EmailProvider {
  const settings = readConfigSection(config, emailConfigSchema);
  switch (settings.EMAIL_PROVIDER) {
    case 'smtp':
      return smtpProvider(settings);
    case 'sendgrid':
      return sendgridProvider(settings);
    case 'ses':
      return sesProvider(settings);
    case 'log':
      return {
        name: 'log',
        // Development: one line per message, never its body (links carry secrets).
        async send(email) {
          logger.info({ to: email.to.address, subject: email.subject }, 'email (log provider; not sent)');
          return { messageId: null };
        },
      };
  }
}
