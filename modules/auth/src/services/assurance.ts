/**
 * The session's authenticator assurance level (NIST SP 800-63B), derived from WHAT was proven,
 * not from how many steps were taken: each authentication method (RFC 8176 `amr` value) names the
 * factor kinds it proves, and a session is AAL2 when at least two different kinds were proven.
 *
 * So password + TOTP is AAL2 (knowledge + possession), a user-verifying passkey alone is AAL2
 * (the authenticator holds the key AND checked a PIN or biometric before signing: `hwk` + `mfa`),
 * while a passkey that only tested presence (`hwk`) followed by a TOTP code stays AAL1 (two
 * possessions).
 */
export type FactorKind = 'knowledge' | 'possession' | 'inherence_or_knowledge' | 'mailbox' | 'federation';

export const FACTORS_OF_METHOD: Readonly<Record<string, readonly FactorKind[]>> = {
  /** A password. */
  pwd: ['knowledge'],
  /** A TOTP code or a recovery code (something the user holds). */
  otp: ['possession'],
  /**
   * A link sent to the mailbox: control of the mail account, guarded by its own credentials and
   * independent of any device Plinto knows — its own kind, so a magic link + TOTP is two kinds.
   */
  email: ['mailbox'],
  /** A WebAuthn credential: possession of the authenticator's private key. */
  hwk: ['possession'],
  /**
   * Only ever recorded beside `hwk`, when the authenticator reported user verification (UV flag):
   * it checked a PIN (knowledge) or a biometric (inherence) itself.
   */
  mfa: ['inherence_or_knowledge'],
  /** An external identity provider vouched for the user; it says nothing of how (one kind). */
  fed: ['federation'],
};

/** 2 when the methods prove at least two different factor kinds, else 1. Unknown methods prove nothing. */
export function assuranceLevel(amr: readonly string[]): 1 | 2 {
  const kinds = new Set(amr.flatMap((m) => FACTORS_OF_METHOD[m] ?? []));
  return kinds.size >= 2 ? 2 : 1;
}
