import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { onCleanup } from './harness';

/**
 * Local doubles of the two email APIs that cannot run here, speaking their HTTP APIs as the
 * official SDKs use them: SendGrid v3 Mail Send and Amazon SES v2 SendEmail. A test decides each
 * answer (`respond`) to check delivery, the providers' error answers and throttling (429).
 */
export interface ProviderRequest {
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string;
  headers: IncomingMessage['headers'];
  body: any;
}

export interface ProviderDouble {
  url: string;
  requests: ProviderRequest[];
  /** The answer to the n-th request (0-based) for a recipient; default: accepted. */
  respond: (request: ProviderRequest, nthForRecipient: number) => { status: number; headers?: Record<string, string>; body?: unknown } | null;
  forRecipient(to: string): ProviderRequest[];
}

async function serve(parse: (body: any) => Omit<ProviderRequest, 'headers' | 'body'>, accepted: (n: number) => { status: number; headers?: Record<string, string>; body?: unknown }, path: string): Promise<ProviderDouble> {
  const double: ProviderDouble = {
    url: '',
    requests: [],
    respond: () => null,
    forRecipient: (to) => double.requests.filter((r) => r.to === to),
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== path) return res.writeHead(404).end();
      const body = JSON.parse(raw);
      const request = { ...parse(body), headers: req.headers, body };
      const n = double.forRecipient(request.to).length;
      double.requests.push(request);
      const answer = double.respond(request, n) ?? accepted(double.requests.length);
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  double.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  onCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return double;
}

/** SendGrid v3: POST /v3/mail/send → 202 with X-Message-Id; errors `{ errors: [{ message, field }] }`. */
export function startSendgridDouble(): Promise<ProviderDouble> {
  return serve(
    (b) => ({
      to: b.personalizations[0].to[0].email,
      from: b.from.email,
      subject: b.subject,
      text: b.content.find((c: { type: string }) => c.type === 'text/plain')?.value,
      html: b.content.find((c: { type: string }) => c.type === 'text/html')?.value,
    }),
    (n) => ({ status: 202, headers: { 'x-message-id': `sg-${n}` } }),
    '/v3/mail/send',
  );
}

export const sendgridError = (status: number, message: string, headers: Record<string, string> = {}) => ({ status, headers, body: { errors: [{ message, field: null, help: null }] } });

/** SES v2: POST /v2/email/outbound-emails → 200 `{ MessageId }`; errors named by x-amzn-ErrorType. */
export function startSesDouble(): Promise<ProviderDouble> {
  return serve(
    (b) => ({
      to: b.Destination.ToAddresses[0],
      from: b.FromEmailAddress,
      subject: b.Content.Simple.Subject.Data,
      text: b.Content.Simple.Body.Text.Data,
      html: b.Content.Simple.Body.Html.Data,
    }),
    (n) => ({ status: 200, body: { MessageId: `ses-${n}` } }),
    '/v2/email/outbound-emails',
  );
}

export const sesError = (status: number, type: string, message: string) => ({ status, headers: { 'x-amzn-errortype': type }, body: { message } });
