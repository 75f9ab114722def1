// Peer: panva's oidc-provider 9 issuing client_credentials tokens at its token endpoint, one
// confidential client authenticating with client_secret_basic (as Plinto's bench client does).
// OIDC_TOKENS=opaque: opaque access tokens in its default in-memory adapter (the fastest it can be,
// though not a production store: a restart or a second process loses every token).
// OIDC_TOKENS=jwt: EdDSA-signed JWT access tokens for a resource server (resource indicators), as
// Plinto issues — nothing stored. Answers `{ port, clientId, clientSecret }` over IPC.
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

const format = process.env.OIDC_TOKENS === 'jwt' ? 'jwt' : 'opaque';
const RESOURCE = 'https://api.bench.test';
const clientId = 'bench-client';
const clientSecret = 'bench-client-secret-0123456789abcdefghijklmnopqrstuvwxyz';

const server = createServer();
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as { port: number }).port;

const ed = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
const rsa = await generateKeyPair('RS256', { extractable: true });
const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{ client_id: clientId, client_secret: clientSecret, grant_types: ['client_credentials'], redirect_uris: [], response_types: [], token_endpoint_auth_method: 'client_secret_basic' }],
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
server.on('request', provider.callback());
server.keepAliveTimeout = 30_000;
process.send?.({ port, clientId, clientSecret, tokenPath: '/token' });
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
