import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { DestinationRefused, pinnedLookup, resolveDestination } from '@plinto/kernel';
import { SocialErrors } from './errors';

const BODY_LIMIT = 256 * 1024;
const TIMEOUT_MS = 10_000;

const parseJson = (text: string): unknown => {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
};

/**
 * A request to an identity provider. Its URLs come from tenant admins (a generic OIDC issuer), so
 * like a webhook the destination must be a public address — checked after DNS, and the connection
 * pinned to the checked address — unless SOCIAL_ALLOWED_HOSTS lists it (development, tests).
 */
export async function providerRequest(
  url: string,
  init: { method?: 'GET' | 'POST'; headers?: Record<string, string>; form?: Record<string, string> },
  allowedHosts: string[],
): Promise<{ status: number; json: unknown }> {
  let destination;
  try {
    destination = await resolveDestination(url, allowedHosts);
  } catch (error) {
    if (error instanceof DestinationRefused) throw SocialErrors.PROVIDER_UNREACHABLE({ message: `The identity provider's address is not allowed: ${error.message}` });
    throw error;
  }
  const target = destination.url;
  const body = init.form ? new URLSearchParams(init.form).toString() : undefined;
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'Plinto', ...init.headers };
  if (body !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  const isHttps = target.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const req = (isHttps ? httpsRequest : httpRequest)(
      {
        protocol: target.protocol,
        hostname: target.hostname.replace(/^\[|\]$/g, ''),
        port: target.port || (isHttps ? 443 : 80),
        path: `${target.pathname}${target.search}`,
        method: init.method ?? 'GET',
        lookup: pinnedLookup(destination),
        headers,
        timeout: TIMEOUT_MS,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > BODY_LIMIT) return req.destroy(new Error('response too large'));
          chunks.push(chunk);
        });
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, json: parseJson(text) });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => reject(SocialErrors.PROVIDER_UNREACHABLE()));
    req.end(body);
  });
}
