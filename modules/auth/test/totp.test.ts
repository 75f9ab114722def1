import { describe, expect, it } from 'vitest';
import * as OTPAuth from 'otpauth';
import { generateTotpSecret, matchTotpStep, otpauthUri, totpCode } from '../src/services/totp';

describe('TOTP (RFC 6238), checked against the otpauth library', () => {
  it('produces the same codes as an independent implementation', () => {
    for (let i = 0; i < 20; i++) {
      const secret = generateTotpSecret();
      const reference = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) });
      const timestamp = Date.UTC(2026, 0, 1) + i * 7_777_777;
      expect(totpCode(secret, Math.floor(timestamp / 30_000))).toBe(reference.generate({ timestamp }));
    }
  });

  it('accepts the previous, current and next step only', () => {
    const secret = generateTotpSecret();
    const reference = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) });
    const now = Date.now();
    const step = Math.floor(now / 30_000);
    expect(matchTotpStep(secret, reference.generate({ timestamp: now - 30_000 }), now)).toBe(step - 1);
    expect(matchTotpStep(secret, reference.generate({ timestamp: now }), now)).toBe(step);
    expect(matchTotpStep(secret, reference.generate({ timestamp: now + 30_000 }), now)).toBe(step + 1);
    expect(matchTotpStep(secret, reference.generate({ timestamp: now + 90_000 }), now)).toBe(null);
    expect(matchTotpStep(secret, 'abcdef', now)).toBe(null);
  });

  it('emits an otpauth:// URI authenticator apps (and otpauth) parse', () => {
    const secret = generateTotpSecret();
    const parsed = OTPAuth.URI.parse(otpauthUri(secret, 'Acme Inc', 'ann@example.com')) as OTPAuth.TOTP;
    expect(parsed).toMatchObject({ issuer: 'Acme Inc', label: 'ann@example.com', digits: 6, period: 30, algorithm: 'SHA1' });
    expect(parsed.secret.base32).toBe(secret);
  });
});
