import { parse } from 'node:querystring';
import type { Request } from 'express';

const FORM_TYPE = /^application\/x-www-form-urlencoded\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/**
 * Whether a request body can be read here rather than by body-parser: a form (UTF-8), not
 * compressed, of a declared length within `limit`. Anything else (chunked, encoded, another
 * charset) goes the standard way, which words every refusal.
 */
export function isSmallForm(req: Request, limit: number): boolean {
  const type = req.headers['content-type'];
  const length = Number(req.headers['content-length']);
  const encoding = req.headers['content-encoding'];
  return (
    type !== undefined &&
    FORM_TYPE.test(type) &&
    (encoding === undefined || encoding.toLowerCase() === 'identity') &&
    req.headers['transfer-encoding'] === undefined &&
    Number.isInteger(length) &&
    length >= 0 &&
    length <= limit
  );
}

/** The body isSmallForm vouched for, as text; null when the client went away or sent other than it declared. */
export function readSmallForm(req: Request, declared: number): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received <= declared) chunks.push(chunk);
    });
    req.once('end', () => resolve(received === declared ? Buffer.concat(chunks, received).toString('utf8') : null));
    req.once('error', () => resolve(null));
    req.once('close', () => resolve(null)); // after 'end' when the body came whole (a promise settles once)
  });
}

/**
 * A form's fields as body-parser's urlencoded parser (extended: false) gives them — repeated
 * names become arrays — or null past `parameterLimit` fields.
 */
export function parseSmallForm(body: string, parameterLimit: number): Record<string, string | string[]> | null {
  if (body.length === 0) return {};
  let count = 1;
  for (let at = body.indexOf('&'); at !== -1; at = body.indexOf('&', at + 1)) if (++count > parameterLimit) return null;
  return parse(body, '&', '=', { maxKeys: 0 }) as Record<string, string | string[]>;
}
