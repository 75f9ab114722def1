import { readFileSync } from 'node:fs';
import { AuthErrors } from '../errors';

/**
 * Password rules after NIST SP 800-63B §5.1.1.2: a minimum length (default 8, per tenant), at least
 * 64 characters accepted (we accept 256), no truncation, no composition rules, Unicode normalised
 * (NFKC) before hashing, and a blocklist of common passwords shipped in common-passwords.txt.
 * Length counts Unicode code points, as NIST asks.
 */
export const PASSWORD_MAX_LENGTH = 256;
export const DEFAULT_PASSWORD_MIN_LENGTH = 8;

let blocklist: Set<string> | undefined;

function commonPasswords(): Set<string> {
  if (!blocklist) {
    const text = readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8');
    blocklist = new Set(text.split('\n').filter((line) => line && !line.startsWith('#')));
  }
  return blocklist;
}

/** The form a password is hashed and compared in: NFKC, so equivalent Unicode input matches. */
export const normalizePassword = (password: string): string => password.normalize('NFKC');

/** Control characters (C0, DEL, C1): invisible, often mangled by forms and terminals, never meant. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;

/** One character repeated, or a run up or down the code points (`12345678`, `abcdefgh`, `87654321`). */
function isRepetitiveOrSequential(chars: string[]): boolean {
  if (chars.every((c) => c === chars[0])) return true;
  const codes = chars.map((c) => c.codePointAt(0)!);
  const step = codes[1]! - codes[0]!;
  return Math.abs(step) === 1 && codes.every((code, i) => i === 0 || code - codes[i - 1]! === step);
}

/** `field` names the input at fault in the error (default `password`). */
export function checkPasswordPolicy(password: string, context: { email: string; minLength?: number; field?: string }): void {
  const normalized = normalizePassword(password);
  const minLength = context.minLength ?? DEFAULT_PASSWORD_MIN_LENGTH;
  const field = [{ path: context.field ?? 'password', message: '' }];
  if (CONTROL.test(normalized)) {
    field[0]!.message = 'Control characters are not allowed';
    throw AuthErrors.PASSWORD_INVALID_CHARACTERS({ fields: field });
  }
  if ([...normalized].length < minLength) {
    field[0]!.message = `At least ${minLength} characters`;
    throw AuthErrors.PASSWORD_TOO_SHORT({ fields: field, details: { minLength } });
  }
  const lower = normalized.toLowerCase();
  if (commonPasswords().has(lower)) {
    field[0]!.message = 'Too common';
    throw AuthErrors.PASSWORD_TOO_COMMON({ fields: field });
  }
  // NIST SP 800-63B: "repetitive or sequential characters" — and nothing but spaces.
  if (normalized.trim() === '' || isRepetitiveOrSequential([...lower])) {
    field[0]!.message = 'One repeated character, a plain sequence or only spaces';
    throw AuthErrors.PASSWORD_TOO_SIMPLE({ fields: field });
  }
  // Context-specific words (NIST): the account's own email, or its local part when it is long enough to matter.
  const local = context.email.split('@')[0] ?? '';
  if (lower.includes(context.email) || (local.length >= 4 && lower === local)) {
    field[0]!.message = 'Must not contain the email address';
    throw AuthErrors.PASSWORD_CONTAINS_EMAIL({ fields: field });
  }
}
