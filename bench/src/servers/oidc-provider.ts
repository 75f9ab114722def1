// Peer: panva's oidc-provider 9 issuing client_credentials tokens at its token endpoint, one
// confidential client authenticating with client_secret_basic (as Plinto's bench client does).
// OIDC_TOKENS=opaque: opaque access tokens, stored. OIDC_TOKENS=jwt: EdDSA-signed JWT access tokens
// for a resource server (resource indicators), as Plinto issues — access tokens not stored.
// OIDC_STORAGE=redis: the Redis adapter of oidc-provider's own example (./oidc-redis-adapter.ts), its
// production storage for sessions, codes, grants and opaque tokens; OIDC_STORAGE=memory: its default
// in-memory adapter, documented as development-only (a restart or a second process loses every
// session, code and token) — measured for the record, not as a production peer.
// Answers `{ port, clientId, clientSecret }` over IPC.
// Also a web client for the authorization-code flow (PKCE, ID token RS256 as Plinto's default):
// its one interaction (login + consent) is finished by a bench-only handler, as a real login page
// would, so that later authorize requests of that browser session go straight to a code.
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import { Redis } from 'ioredis';
import Provider from 'oidc-provider';
import { redisAdapter } from './oidc-redis-adapter';

const format = process.env.OIDC_TOKENS === 'jwt' ? 'jwt' : 'opaque';
const RESOURCE = 'https://api.bench.test';
const clientId = 'bench-client';
const clientSecret = 'bench-client-secret-0123456789abcdefghijklmnopqrstuvwxyz';
const WEB_CLIENT = 'bench-web';
const WEB_REDIRECT = 'http://127.0.0.1:1/callback';
const KEY_PREFIX = `bench-oidc-${process.pid}:`;
const redis = process.env.OIDC_STORAGE === 'redis' ? new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { keyPrefix: KEY_PREFIX }) : undefined;

const server = createServer();
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as { port: number }).port;

const ed = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
const rsa = await generateKeyPair('RS256', { extractable: true });
const provider = new Provider(`http://127.0.0.1:${port}`, {
  ...(redis ? { adapter: redisAdapter(redis) } : {}),
  clients: [
    { client_id: clientId, client_secret: clientSecret, grant_types: ['client_credentials'], redirect_uris: [], response_types: [], token_endpoint_auth_method: 'client_secret_basic' },
    { client_id: WEB_CLIENT, client_secret: clientSecret, grant_types: ['authorization_code'], redirect_uris: [WEB_REDIRECT], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic' },
  ],
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  jwks: { keys: [{ ...(await exportJWK(ed.privateKey)), kid: 'ed', alg: 'EdDSA', use: 'sig' }, { ...(await exportJWK(rsa.privateKey)), kid: 'rs', alg: 'RS256', use: 'sig' }] },
  scopes: ['api:read'],
  cookies: { keys: ['bench-cookie-key-0123456789abcdef'] },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: format === 'jwt',
      defaultResource: async () => RESOURCE,
      useGrantedResource: async () => true,
      getResourceServerInfo: async () => ({ scope: 'api:read', audience: RESOURCE, accessTokenTTL: 600, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'EdDSA' } } }),
    },
  },
  ttl: { ClientCredentials: 600 },
});
const callback = provider.callback();
server.on('request', (req, res) => {
  if (!req.url?.startsWith('/interaction/')) return callback(req, res);
  // The bench's login page: signs the bench user in and grants what was asked.
  void (async () => {
    const details = await provider.interactionDetails(req, res);
    const grant = new provider.Grant({ accountId: 'bench-user', clientId: String(details.params.client_id) });
    grant.addOIDCScope('openid');
    if (format === 'jwt') grant.addResourceScope(RESOURCE, 'api:read');
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { login: { accountId: 'bench-user' }, consent: { grantId } }, { mergeWithLastSubmission: false });
  })().catch(() => {
    res.statusCode = 500;
    res.end();
  });
});
server.keepAliveTimeout = 30_000;
process.send?.({ port, clientId, clientSecret, tokenPath: '/token', webClientId: WEB_CLIENT, webRedirectUri: WEB_REDIRECT });
/** This process's keys out of the shared Redis (they would expire, but not soon). */
async function dropKeys(): Promise<void> {
  if (!redis) return;
  const plain = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  let cursor = '0';
  do {
    const [next, keys] = await plain.scan(cursor, 'MATCH', `${KEY_PREFIX}*`, 'COUNT', 1000);
    if (keys.length) await plain.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  plain.disconnect();
  redis.disconnect();
}
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => void dropKeys().finally(() => process.exit(0)));
});
