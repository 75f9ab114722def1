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
        // One line per message, never its body (links carry secrets) — except on a developer's
        // machine (NODE_ENV=development, the default), where the quick start needs the link to
        // verify an address or reset a password without a mail server.
        async send(email) {
          if (config.NODE_ENV === 'development') {
            const links = linksIn(email.text);
            logger.info({ to: email.to.address, subject: email.subject, links }, `email (log provider; not sent): "${email.subject}" to ${email.to.address}${links.map((l) => `\n  open: ${l}`).join('')}`);
          } else {
            logger.info({ to: email.to.address, subject: email.subject }, 'email (log provider; not sent)');
          }
          return { messageId: null };
        },
      };
  }
}

/** The links of a message's text part (what a developer opens from the log). */
export const linksIn = (text: string): string[] => [...new Set(text.match(/https?:\/\/[^\s<>"')]+/g) ?? [])];
