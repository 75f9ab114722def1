import { isoBase64URL } from '@simplewebauthn/server/helpers';

/** Why the WebAuthn library refused a response, as a stable reason for the audit log and the answer. */
export function rejectionReason(error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  if (/challenge/i.test(message)) return 'challenge_mismatch';
  if (/top origin|origin/i.test(message)) return 'origin_not_allowed';
  if (/RP ID/i.test(message)) return 'rp_id_mismatch';
  if (/User verification (was )?required/i.test(message)) return 'user_verification_required';
  if (/User not present|User presence/i.test(message)) return 'user_presence_required';
  if (/response type/i.test(message)) return 'wrong_ceremony_type';
  if (/counter/i.test(message)) return 'counter_regression';
  return 'malformed_response';
}

/** The WebAuthn user handle of a user: their id's UTF-8 bytes (opaque, stable, no personal data). */
export const userHandleOf = (userId: string): Uint8Array<ArrayBuffer> => new Uint8Array(new TextEncoder().encode(userId));
export const userIdOfHandle = (handle: string): string | null => {
  try {
    return new TextDecoder().decode(isoBase64URL.toBuffer(handle));
  } catch {
    return null;
  }
};
