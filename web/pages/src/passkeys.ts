import { browserSupportsWebAuthn, browserSupportsWebAuthnAutofill, startAuthentication, startRegistration } from '@simplewebauthn/browser';
import { mutation, session, type SignInAnswer } from './api';

/**
 * The browser half of passkey ceremonies (@simplewebauthn/browser): the server hands out options
 * and a ceremony id, the browser's authenticator answers, the server verifies. Sign-in steps go
 * through /t/{tenant}/session (the HttpOnly cookie); registration through tRPC with the cookie.
 */
type Ceremony = { ceremonyId: string; options: never };

export const passkeysSupported = () => browserSupportsWebAuthn();
export const autofillSupported = () => browserSupportsWebAuthnAutofill();

/**
 * Button ceremonies under way. Starting a ceremony aborts the one in progress (there is one
 * navigator.credentials request at a time), which is right when the button interrupts the
 * autofill one. The autofill ceremony, though, starts when its options arrive, and a quick press
 * can come first: it would then abort the button's ceremony and wait for an autofill pick that
 * never comes.
 */
let buttonCeremonies = 0;

/** Sign in with a discoverable passkey: from the button, or (conditional) from the email field's autofill. */
export async function signInWithPasskey(conditional: boolean, returnTo: string | null): Promise<SignInAnswer> {
  if (!conditional) buttonCeremonies++;
  try {
    const { ceremonyId, options } = await session.step<Ceremony>('passkey/options', {});
    if (conditional && buttonCeremonies > 0) throw new DOMException('A passkey ceremony from the button is under way', 'AbortError');
    const response = await startAuthentication({ optionsJSON: options, useBrowserAutofill: conditional });
    return await session.step('passkey', { ceremonyId, response, returnTo: returnTo ?? undefined });
  } finally {
    if (!conditional) buttonCeremonies--;
  }
}

/** A passkey as the second factor of a pending sign-in. */
export async function passkeySecondFactor(challengeToken: string, returnTo: string | null): Promise<SignInAnswer> {
  const { ceremonyId, options } = await session.step<Ceremony>('mfa/passkey/options', { challengeToken });
  const response = await startAuthentication({ optionsJSON: options });
  return session.step('mfa/passkey', { challengeToken, ceremonyId, response, returnTo: returnTo ?? undefined });
}

export interface PasskeyRow {
  id: string;
  name: string;
  authenticator: string | null;
  backedUp: boolean;
  createdAt: string;
  lastUsedAt: string | null;
}

/** Registers a new passkey for the signed-in user. */
export async function addPasskey(): Promise<PasskeyRow> {
  const { ceremonyId, options } = await mutation<Ceremony>('passkeys.registrationOptions', {});
  const response = await startRegistration({ optionsJSON: options });
  return mutation<PasskeyRow>('passkeys.register', { ceremonyId, response });
}
