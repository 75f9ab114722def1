import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isoBase64URL, isoCBOR } from '@simplewebauthn/server/helpers';

/**
 * A software FIDO2 authenticator plus the browser's part of a ceremony (clientDataJSON), written
 * to the WebAuthn spec: ES256 keys, `none` attestation, discoverable credentials, a signature
 * counter. It is the real counterpart of the server's verification (the server uses the
 * @simplewebauthn library unmodified) and lets a test do what a browser never would — answer with
 * another origin, replay an assertion, roll a counter back, skip user verification — to prove the
 * server refuses it. Chromium's virtual authenticator covers the browser path in the page tests.
 */
export interface SoftCredential {
  id: Uint8Array;
  key: KeyObject;
  rpId: string;
  userHandle: string;
  counter: number;
}

export interface CeremonyOverrides {
  origin?: string;
  rpId?: string;
  userVerified?: boolean;
  /** For assertions: the counter to report (default: one more than the last). */
  counter?: number;
  /** For assertions: sign with this credential (default: the first one for the RP ID). */
  credentialId?: string;
  /** The challenge to sign (default: the options'). */
  challenge?: string;
  type?: string;
}

const AAGUID_CHROMIUM_VIRTUAL = '01020304050607080102030405060708';
const UP = 0x01;
const UV = 0x04;
const BE = 0x08;
const BS = 0x10;
const AT = 0x40;

const b64 = (bytes: Uint8Array) => isoBase64URL.fromBuffer(new Uint8Array(bytes));
const sha256 = (data: Uint8Array | string) => new Uint8Array(createHash('sha256').update(data).digest());
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
const u32 = (n: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0);
  return b;
};

export class SoftAuthenticator {
  readonly credentials: SoftCredential[] = [];

  constructor(
    readonly origin: string,
    readonly options: { userVerifying?: boolean; keepsCounter?: boolean; synced?: boolean; aaguid?: string } = {},
  ) {}

  private flags(userVerified: boolean, attested: boolean) {
    const synced = this.options.synced ? BE | BS : 0;
    return UP | (userVerified ? UV : 0) | synced | (attested ? AT : 0);
  }

  private clientData(type: string, challenge: string, origin: string) {
    return new TextEncoder().encode(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }

  /** navigator.credentials.create() answered: a new ES256 credential for the options' RP and user. */
  register(options: { challenge: string; rp: { id?: string }; user: { id: string } }, o: CeremonyOverrides = {}) {
    const rpId = o.rpId ?? options.rp.id!;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const cose = isoCBOR.encode(new Map<number, number | Uint8Array>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, isoBase64URL.toBuffer(jwk.x!)],
      [-3, isoBase64URL.toBuffer(jwk.y!)],
    ]));
    const id = new Uint8Array(randomBytes(32));
    const credIdLength = new Uint8Array([id.length >> 8, id.length & 0xff]);
    const aaguid = Buffer.from((this.options.aaguid ?? AAGUID_CHROMIUM_VIRTUAL).replace(/-/g, ''), 'hex');
    const userVerified = o.userVerified ?? this.options.userVerifying ?? true;
    const authData = concat(sha256(rpId), new Uint8Array([this.flags(userVerified, true)]), u32(0), new Uint8Array(aaguid), credIdLength, id, cose);
    const attestationObject = isoCBOR.encode(new Map<string, unknown>([
      ['fmt', 'none'],
      ['attStmt', new Map()],
      ['authData', authData],
    ]) as never);
    this.credentials.push({ id, key: privateKey, rpId, userHandle: options.user.id, counter: 0 });
    return {
      id: b64(id),
      rawId: b64(id),
      type: 'public-key' as const,
      response: {
        clientDataJSON: b64(this.clientData(o.type ?? 'webauthn.create', o.challenge ?? options.challenge, o.origin ?? this.origin)),
        attestationObject: b64(attestationObject),
        transports: ['internal'],
      },
      authenticatorAttachment: 'platform' as const,
      clientExtensionResults: {},
    };
  }

  /** navigator.credentials.get() answered with a (discoverable) credential for the RP ID. */
  authenticate(options: { challenge: string; rpId?: string; allowCredentials?: { id: string }[] }, o: CeremonyOverrides = {}) {
    const rpId = o.rpId ?? options.rpId!;
    const allowed = options.allowCredentials?.length ? new Set(options.allowCredentials.map((c) => c.id)) : null;
    const credential = this.credentials.find((c) =>
      o.credentialId ? b64(c.id) === o.credentialId : (allowed ? allowed.has(b64(c.id)) : true) && c.rpId === (options.rpId ?? rpId),
    );
    if (!credential) throw new Error('No credential for this RP');
    const keepsCounter = this.options.keepsCounter ?? true;
    const counter = o.counter ?? (keepsCounter ? credential.counter + 1 : 0);
    credential.counter = Math.max(credential.counter, counter);
    const userVerified = o.userVerified ?? this.options.userVerifying ?? true;
    const authData = concat(sha256(rpId), new Uint8Array([this.flags(userVerified, false)]), u32(counter));
    const clientDataJSON = this.clientData(o.type ?? 'webauthn.get', o.challenge ?? options.challenge, o.origin ?? this.origin);
    const signature = new Uint8Array(sign('sha256', concat(authData, sha256(clientDataJSON)), credential.key));
    return {
      id: b64(credential.id),
      rawId: b64(credential.id),
      type: 'public-key' as const,
      response: { clientDataJSON: b64(clientDataJSON), authenticatorData: b64(authData), signature: b64(signature), userHandle: credential.userHandle },
      authenticatorAttachment: 'platform' as const,
      clientExtensionResults: {},
    };
  }
}
