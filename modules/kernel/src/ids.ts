import { createHash, randomFillSync, timingSafeEqual } from 'node:crypto';

/**
 * CSPRNG bytes handed out from a pool refilled 4 KiB at a time, as Node's own randomUUID does:
 * one call into OpenSSL per ~200 ids instead of one per id (each call costs microseconds, and a
 * sign-in makes half a dozen ids and tokens). Every byte is handed out once.
 */
const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let poolOffset = POOL_SIZE;

function randomSlice(length: number): Buffer {
  if (length > POOL_SIZE) return randomFillSync(Buffer.allocUnsafe(length));
  if (poolOffset + length > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const slice = pool.subarray(poolOffset, poolOffset + length);
  poolOffset += length;
  return slice;
}

/**
 * UUIDv7 (RFC 9562): time-ordered, so primary keys double as a creation order and keyset
 * pagination can sort by id alone. PostgreSQL compares uuids bytewise, which preserves that order.
 */
export function uuidv7(now = Date.now()): string {
  const bytes = Buffer.from(randomSlice(16)); // a copy: it is written to below
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string): boolean => UUID_RE.test(value);

/** A random secret of `bytes` bytes of entropy, base64url encoded. */
export function randomToken(bytes = 32): string {
  return randomSlice(bytes).toString('base64url');
}

/**
 * SHA-256 of a high-entropy secret (API keys, opaque tokens). A slow password hash is not needed:
 * the input is random, so the digest cannot be brute-forced, and lookups stay indexable.
 */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
