/** One message as a provider sends it. */
export interface OutgoingEmail {
  from: { name: string; address: string };
  to: { name?: string | null; address: string };
  subject: string;
  text: string;
  html: string;
}

/**
 * An email provider (SMTP, SendGrid, SES, or the development log). `send` resolves with the
 * provider's message id, or throws an EmailSendError saying whether trying again can help.
 */
export interface EmailProvider {
  readonly name: string;
  send(email: OutgoingEmail): Promise<{ messageId: string | null }>;
  close?(): void | Promise<void>;
}

/**
 * A failed send. `retryable`: throttled (429), the provider's own outage (5xx), a network failure
 * — the job is retried with backoff. Otherwise (rejected address, bad credentials, a suspended
 * account) it is not: retrying the same request cannot succeed, so the job fails for good.
 */
export class EmailSendError extends Error {
  override name = 'EmailSendError';
  constructor(
    message: string,
    readonly retryable: boolean,
    /** The HTTP status (or SMTP code) the provider answered, when it answered. */
    readonly status: number | null = null,
  ) {
    super(message);
  }
}

/** Whether an answer with this HTTP status is worth retrying: throttled, timeouts and 5xx. */
export const retryableStatus = (status: number | null | undefined): boolean =>
  status === undefined || status === null || status === 408 || status === 429 || status >= 500;
