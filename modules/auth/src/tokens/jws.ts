import { sign, type KeyObject } from 'node:crypto';

/**
 * Compact JWS signing with node:crypto directly: one synchronous signature (~50 µs for Ed25519)
 * instead of WebCrypto's promise round trips, on the sign-in and refresh hot paths. Only what
 * Plinto issues: EdDSA (Ed25519) and ES256 (P-256, raw r||s per RFC 7518 §3.4). Verification stays
 * with jose in the kernel's verifier.
 */
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function signCompactJws(header: { alg: 'EdDSA' | 'ES256'; kid: string; typ: string }, payload: Record<string, unknown>, key: KeyObject): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  const signature =
    header.alg === 'EdDSA' ? sign(null, Buffer.from(input), key) : sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}
