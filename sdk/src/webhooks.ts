import type { webhooks } from './generated/openapi.js';

/** Every event Plinto delivers, by type: the Standard Webhooks envelope with that type's `data`. */
export type WebhookEvents = { [T in keyof webhooks]: webhooks[T]['post'] extends { requestBody: { content: { 'application/json': infer Body } } } ? Body : never };
export type WebhookEventType = keyof WebhookEvents;
/** The union of every event Plinto delivers, discriminated by `type`. */
export type WebhookEvent = WebhookEvents[WebhookEventType];

export class WebhookVerificationError extends Error {
  override name = 'WebhookVerificationError';
}

export interface VerifyWebhookOptions {
  /** Seconds a delivery may be older or newer than now (replay window). Default 300. */
  toleranceSeconds?: number;
  now?: () => number;
}

type HeaderBag = Headers | Record<string, string | string[] | undefined>;

const header = (headers: HeaderBag, name: string): string | undefined => {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const value = (headers as Record<string, string | string[] | undefined>)[name] ?? (headers as Record<string, string | string[] | undefined>)[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
};

function base64Decode(value: string): Uint8Array<ArrayBuffer> {
  const binary = atob(value);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Verifies a Standard Webhooks delivery (the scheme Plinto signs with) using WebCrypto, and returns
 * the event typed by its `type`. `secret` is the endpoint's `whsec_…` secret; `body` is the raw
 * request body, exactly as received (parse after verifying, never before).
 * Refuses: missing headers, a timestamp outside the tolerance (replays), and any signature that
 * is not an HMAC-SHA256 of `{id}.{timestamp}.{body}` under the secret (checked in constant time).
 */
export async function verifyWebhook(secret: string, body: string | Uint8Array, headers: HeaderBag, options: VerifyWebhookOptions = {}): Promise<WebhookEvent> {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures) throw new WebhookVerificationError('Missing webhook-id, webhook-timestamp or webhook-signature');
  const seconds = Number(timestamp);
  const now = (options.now ?? Date.now)() / 1000;
  const tolerance = options.toleranceSeconds ?? 300;
  if (!/^\d+$/.test(timestamp) || Math.abs(now - seconds) > tolerance) throw new WebhookVerificationError('The webhook timestamp is outside the tolerance');
  const key = await crypto.subtle.importKey('raw', base64Decode(secret.replace(/^whsec_/, '')), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  const text = typeof body === 'string' ? body : new TextDecoder().decode(body);
  const signed = new TextEncoder().encode(`${id}.${timestamp}.${text}`);
  for (const candidate of signatures.split(' ')) {
    const [version, signature] = candidate.split(',');
    if (version !== 'v1' || !signature) continue;
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = base64Decode(signature);
    } catch {
      continue;
    }
    if (await crypto.subtle.verify('HMAC', key, bytes, signed)) return JSON.parse(text) as WebhookEvent;
  }
  throw new WebhookVerificationError('No valid webhook signature');
}
