import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { jwtVerify } from 'jose';
import { signCompactJws } from '../src/tokens/jws';

/** Plinto's own JWS signer must produce what a standard verifier (jose) accepts, for both algorithms. */
describe('signCompactJws', () => {
  for (const alg of ['EdDSA', 'ES256'] as const) {
    it(`signs ${alg} tokens jose verifies, and a changed payload fails`, async () => {
      const { privateKey, publicKey } = alg === 'EdDSA' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const now = Math.floor(Date.now() / 1000);
      const token = signCompactJws({ alg, kid: 'k1', typ: 'at+jwt' }, { sub: 'u1', iss: 'https://i', aud: 'a', iat: now, exp: now + 60 }, privateKey);
      const { payload, protectedHeader } = await jwtVerify(token, publicKey, { algorithms: [alg], issuer: 'https://i', audience: 'a', typ: 'at+jwt' });
      expect(payload.sub).toBe('u1');
      expect(protectedHeader).toEqual({ alg, kid: 'k1', typ: 'at+jwt' });
      const [h, , s] = token.split('.');
      const forged = `${h}.${Buffer.from(JSON.stringify({ sub: 'u2', iss: 'https://i', aud: 'a', iat: now, exp: now + 60 })).toString('base64url')}.${s}`;
      await expect(jwtVerify(forged, publicKey, { algorithms: [alg] })).rejects.toThrow();
    });
  }
});
