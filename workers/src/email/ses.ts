import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { EmailConfig } from '@plinto/kernel';
import { EmailSendError, retryableStatus, type EmailProvider } from './provider';

/**
 * Amazon SES (API v2, SendEmail) through the official AWS SDK. The SDK's own retries are off
 * (maxAttempts 1): the email queue retries with backoff, so a throttled message waits in
 * BullMQ rather than in a worker slot, like every other provider's.
 */
export function sesProvider(settings: EmailConfig): EmailProvider {
  const client = new SESv2Client({
    region: settings.SES_REGION ?? settings.AWS_REGION,
    endpoint: settings.SES_ENDPOINT,
    maxAttempts: 1,
    credentials: settings.SES_ACCESS_KEY_ID ? { accessKeyId: settings.SES_ACCESS_KEY_ID, secretAccessKey: settings.SES_SECRET_ACCESS_KEY! } : undefined,
  });
  // RFC 5322 display names; non-ASCII ones as RFC 2047 encoded words, as SES requires.
  const displayName = (name: string) => (/^[\x20-\x7e]*$/.test(name) ? JSON.stringify(name) : `=?UTF-8?B?${Buffer.from(name).toString('base64')}?=`);
  const address = (a: { name?: string | null; address: string }) => (a.name ? `${displayName(a.name)} <${a.address}>` : a.address);
  return {
    name: 'ses',
    async send(email) {
      try {
        const out = await client.send(
          new SendEmailCommand({
            FromEmailAddress: address(email.from),
            Destination: { ToAddresses: [address(email.to)] },
            Content: {
              Simple: {
                Subject: { Data: email.subject, Charset: 'UTF-8' },
                Body: { Text: { Data: email.text, Charset: 'UTF-8' }, Html: { Data: email.html, Charset: 'UTF-8' } },
              },
            },
          }),
        );
        return { messageId: out.MessageId ?? null };
      } catch (error) {
        const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? null;
        const name = (error as Error).name;
        // SES names throttling TooManyRequestsException / LimitExceededException; both retry.
        const retryable = retryableStatus(status) || name === 'TooManyRequestsException' || name === 'LimitExceededException';
        throw new EmailSendError(`SES${status ? ` ${status}` : ''} ${name}: ${(error as Error).message}`, retryable, status);
      }
    },
    close: () => client.destroy(),
  };
}
