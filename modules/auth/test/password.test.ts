import { describe, expect, it } from 'vitest';
import { AppError } from '@plinto/kernel';
import { checkPasswordPolicy, hashMetrics, hashPassword, verifyPassword, normalizeEmail } from '../src/index';
import { configureHashing } from '../src/password/hasher';

const codeOf = (fn: () => void): string | null => {
  try {
    fn();
    return null;
  } catch (error) {
    return error instanceof AppError ? error.appCode : String(error);
  }
};

describe('password policy (NIST SP 800-63B)', () => {
  const email = 'ann@example.com';
  it('requires the minimum length in code points, not bytes or UTF-16 units', () => {
    expect(codeOf(() => checkPasswordPolicy('seven77', { email }))).toBe('PASSWORD_TOO_SHORT');
    expect(codeOf(() => checkPasswordPolicy('abcdefgh'.slice(0, 7) + 'x', { email }))).toBe(null);
    // 8 emoji are 8 characters (16 UTF-16 units): accepted at 8, refused at 9.
    expect(codeOf(() => checkPasswordPolicy('🔑🗝'.repeat(4), { email }))).toBe(null);
    expect(codeOf(() => checkPasswordPolicy('🔑🗝'.repeat(4), { email, minLength: 9 }))).toBe('PASSWORD_TOO_SHORT');
  });

  it('refuses common passwords from the shipped blocklist, case-insensitively and after NFKC', () => {
    for (const common of ['password', 'Password1', 'QWERTYUIOP', 'iloveyou123', '１２３４５６７８']) {
      expect(codeOf(() => checkPasswordPolicy(common, { email }))).toBe('PASSWORD_TOO_COMMON');
    }
  });

  it('has no composition rules and accepts long passphrases and any Unicode', () => {
    expect(codeOf(() => checkPasswordPolicy('all lowercase words here', { email }))).toBe(null);
    expect(codeOf(() => checkPasswordPolicy('correct horse battery staple '.repeat(8), { email }))).toBe(null);
    expect(codeOf(() => checkPasswordPolicy('пароль-очень-длинный', { email }))).toBe(null);
  });

  it('refuses one repeated character, plain sequences, only whitespace and control characters (NIST SP 800-63B)', () => {
    for (const simple of ['aaaaaaaa', 'zzzzzzzzzzzzzzzzzzzz', '        ', '\t\t\t\t\t\t\t\t'.replace(/\t/g, ' '), 'qrstuvwxyz', '98765432', '🔑'.repeat(8)]) {
      expect(codeOf(() => checkPasswordPolicy(simple, { email })), JSON.stringify(simple)).toBe('PASSWORD_TOO_SIMPLE');
    }
    for (const control of ['\u0000'.repeat(8), 'correct horse\u0007battery', 'tab\tinside-a-password', 'line\nbreak-password', 'c1\u0085control-char']) {
      expect(codeOf(() => checkPasswordPolicy(control, { email })), JSON.stringify(control)).toBe('PASSWORD_INVALID_CHARACTERS');
    }
  });

  it('refuses the account email as the password', () => {
    expect(codeOf(() => checkPasswordPolicy('ann@example.com!', { email }))).toBe('PASSWORD_CONTAINS_EMAIL');
  });

  it('normalises emails for case-insensitive uniqueness', () => {
    expect(normalizeEmail('  Ann.Smith@EXAMPLE.com ')).toBe('ann.smith@example.com');
    expect(normalizeEmail('ｍａｒｙ@example.com')).toBe('mary@example.com');
  });
});

describe('argon2id hashing', () => {
  it("uses OWASP's parameters and verifies without truncating", async () => {
    const long = 'a'.repeat(100);
    const hash = await hashPassword(long);
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(hash, long)).toBe(true);
    expect(await verifyPassword(hash, `${'a'.repeat(99)}b`)).toBe(false);
  });

  it('keeps at most AUTH_HASH_CONCURRENCY hashes in flight and refuses beyond the queue bound', async () => {
    configureHashing(2, 4);
    hashMetrics.maxInFlight = 0;
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => hashPassword(`password number ${i}`)));
    expect(hashMetrics.maxInFlight).toBe(2);
    const refused = results.filter((r) => r.status === 'rejected');
    // 2 running + 4 waiting fit; the other 4 are refused at once with 503 HASHING_OVERLOADED.
    expect(refused).toHaveLength(4);
    expect(refused.every((r) => (r as PromiseRejectedResult).reason.appCode === 'HASHING_OVERLOADED')).toBe(true);
    configureHashing(2, 512);
  });
});
