import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier as createEdgeVerifier } from '../src/edge/index.js';
import { AccessTokenRejected, createTokenVerifier } from '../src/server/index.js';
import { nodeSignatureCheck } from '../src/server/node-signature.js';

/**
 * The Node verifier checks signatures with node:crypto, the edge one with WebCrypto: both accept
 * the same genuine EdDSA and ES256 tokens and refuse the same tampered ones (a flipped signature
 * byte, a DER-encoded ECDSA signature, a payload changed after signing, another key's signature).
 */
let server: Server;
let url = '';
const signers: Record<string, CryptoKey> = {};
const jwks: object[] = [];

beforeAll(async () => {
  for (const [kid, alg, options] of [
    ['ed', 'EdDSA', { crv: 'Ed25519' }],
    ['ec', 'ES256', {}],
    ['other', 'EdDSA', { crv: 'Ed25519' }],
  ] as const) {
    const { privateKey, publicKey } = await generateKeyPair(alg, { ...options, extractable: true });
    signers[kid] = privateKey as CryptoKey;
    if (kid !== 'other') jwks.push({ ...(await exportJWK(publicKey)), kid, alg, use: 'sig' });
  }
  server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: jwks })));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const sign = (kid: 'ed' | 'ec', signer: CryptoKey = signers[kid]!) =>
  new SignJWT({ tid: 'tenant-1', sid: 's1' })
    .setProtectedHeader({ alg: kid === 'ed' ? 'EdDSA' : 'ES256', typ: 'at+jwt', kid })
    .setIssuer(`${url}/t/acme`)
    .setAudience('https://api.example.com')
    .setSubject('user-1')
    .setJti(`jti-${Math.random()}`)
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(signer);

const withSignature = (token: string, edit: (signature: Buffer) => Buffer) => {
  const [h, p, s] = token.split('.') as [string, string, string];
  return `${h}.${p}.${edit(Buffer.from(s, 'base64url')).toString('base64url')}`;
};

/** An ECDSA r‖s signature as DER (what node:crypto would produce without `ieee-p1363`). */
const toDer = (raw: Buffer) => {
  const int = (b: Buffer) => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    const v = b.subarray(i);
    return v[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), v]) : v;
  };
  const [r, s] = [int(raw.subarray(0, 32)), int(raw.subarray(32))];
  const body = Buffer.concat([Buffer.from([2, r.length]), r, Buffer.from([2, s.length]), s]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
};

it('Node has node:crypto, so the server entry checks signatures with it', () => {
  expect(nodeSignatureCheck).toBeTypeOf('function');
});

describe.each([
  ['node:crypto (@plinto/sdk/server)', () => createTokenVerifier({ publicUrl: url, audience: 'https://api.example.com' })],
  ['WebCrypto (@plinto/sdk/edge)', () => createEdgeVerifier({ publicUrl: url, audience: 'https://api.example.com' })],
])('signature checks with %s', (_name, make) => {
  it.each(['ed', 'ec'] as const)('accepts a genuine %s token, and refuses it tampered', async (kid) => {
    const verifier = make();
    const token = await sign(kid);
    expect((await verifier.verify(token)).claims.sub).toBe('user-1');
    const refusals = [
      withSignature(token, (s) => Buffer.from(s.map((b, i) => (i === 5 ? b ^ 1 : b)))),
      token.replace(/\.([^.]+)\./, (_m, p: string) => `.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), sub: 'admin' })).toString('base64url')}.`),
      ...(kid === 'ec' ? [withSignature(token, toDer)] : []),
    ];
    for (const forged of refusals) {
      const error = await verifier.verify(forged).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AccessTokenRejected);
      expect((error as AccessTokenRejected).reason).toBe('signature');
    }
  });

  it("refuses a token signed by a key that is not the named kid's", async () => {
    const forged = await sign('ed', signers.other);
    const error = await make().verify(forged).catch((e: unknown) => e);
    expect((error as AccessTokenRejected).reason).toBe('signature');
  });
});
