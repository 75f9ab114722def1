import { request } from 'node:http';
import pg from 'pg';
import * as OTPAuth from 'otpauth';
import type { TestApi } from '../src';

/** Unauthenticated REST call to a tenant's auth endpoints (no platform key). */
export const anon = (api: TestApi, tenant: string) => (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
  api.rest(method, path, { body, token: null, tenant, headers });

export const asUser = (api: TestApi, token: string) => (method: string, path: string, body?: unknown) =>
  api.rest(method, path, { body, token });

/** Raw HTTP, so a test can send headers fetch refuses to set (Host). */
export function rawPost(baseUrl: string, path: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const url = new URL(path, baseUrl);
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers } },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** A TOTP generator from a real TOTP library (otpauth), independent of Plinto's implementation. */
export function totpFor(secret: string) {
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });
  return {
    now: () => totp.generate(),
    /** The code of the step `offset` steps from now (the server accepts -1..+1). */
    at: (offset: number) => totp.generate({ timestamp: Date.now() + offset * 30_000 }),
  };
}

/** Direct SQL on the test's database, to assert rows. */
export async function sql<T = any>(api: TestApi, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: api.config.DATABASE_URL });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Waits until at least `marginMs` remain in the current 30-second TOTP step, so a test's codes do not straddle a step change. */
export async function freshTotpStep(marginMs = 12_000): Promise<void> {
  const left = 30_000 - (Date.now() % 30_000);
  if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
}
