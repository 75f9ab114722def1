/**
 * The OAuth/OIDC endpoints (api/src/http/oauth.ts) in the OpenAPI document. They live at the
 * tenant's issuer, outside /v1, so each path names its own server (`/`); bodies are form-encoded
 * and errors are RFC 6749's `{error, error_description}`, exactly as the RFCs fix them.
 */
const tenant = { name: 'tenant', in: 'path', required: true, schema: { type: 'string' }, description: 'The tenant slug (the issuer is {PUBLIC_URL}/t/{tenant})' };
const root = [{ url: '/' }];
const oauthError = {
  description: 'RFC 6749 §5.2 error',
  content: { 'application/json': { schema: { type: 'object', required: ['error'], properties: { error: { type: 'string' }, error_description: { type: 'string' } } } } },
};
const retryAfter = { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } };
const throttled = { ...oauthError, description: 'temporarily_unavailable: throttled; wait Retry-After seconds', headers: retryAfter };
const unavailable = { ...oauthError, description: 'temporarily_unavailable: a dependency is down; retry after Retry-After seconds', headers: retryAfter };
const tenantNotFound = {
  description: 'No such tenant, or a disabled one',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
};
/**
 * Client authentication: HTTP Basic (client_secret_basic) is a security scheme; client_secret_post
 * sends `client_id` and `client_secret` in the form body, which OpenAPI security schemes cannot
 * express, so it is the body's fields (and `{}` — no scheme — is a valid requirement).
 */
const clientAuth = [{ clientSecretBasic: [] }, {}];
const form = (properties: Record<string, unknown>, required: string[]) => ({
  required: true,
  content: { 'application/x-www-form-urlencoded': { schema: { type: 'object', required, properties } } },
});
const str = (description: string) => ({ type: 'string', description });
const clientFields = {
  client_id: str('The client id, for client_secret_post and public clients (omit with client_secret_basic)'),
  client_secret: str('The client secret, for client_secret_post (omit with client_secret_basic)'),
};

export const oauthSecuritySchemes = {
  clientSecretBasic: { type: 'http', scheme: 'basic', description: 'Machine client id and secret (RFC 6749 §2.3.1)' },
};

export const oauthPaths = {
  '/t/{tenant}/.well-known/openid-configuration': {
    get: {
      operationId: 'oauth-discovery',
      summary: "The tenant's OpenID Connect / OAuth 2.0 discovery document (also at /.well-known/oauth-authorization-server)",
      tags: ['oauth'],
      servers: root,
      parameters: [tenant],
      security: [],
      responses: { 200: { description: 'Discovery document (RFC 8414)', content: { 'application/json': { schema: { type: 'object' } } } }, 404: tenantNotFound, 503: unavailable },
    },
  },
  '/t/{tenant}/.well-known/jwks.json': {
    get: {
      operationId: 'oauth-jwks',
      summary: "The tenant's public signing keys (current and rotated-out, until their tokens expire)",
      tags: ['oauth'],
      servers: root,
      parameters: [tenant],
      security: [],
      responses: {
        200: { description: 'JWK Set (RFC 7517)', content: { 'application/json': { schema: { type: 'object', properties: { keys: { type: 'array', items: { type: 'object' } } } } } } },
        404: tenantNotFound,
        503: unavailable,
      },
    },
  },
  '/t/{tenant}/oauth/token': {
    post: {
      operationId: 'oauth-token',
      summary: 'Token endpoint: authorization_code (applications, PKCE), refresh_token (rotates; bound to its client) or client_credentials (machine clients)',
      tags: ['oauth'],
      servers: root,
      parameters: [tenant],
      security: clientAuth,
      requestBody: form(
        {
          grant_type: { type: 'string', enum: ['authorization_code', 'refresh_token', 'client_credentials'] },
          code: str('For authorization_code'),
          redirect_uri: str('For authorization_code: the one of the authorization request'),
          code_verifier: str('For authorization_code: the PKCE verifier'),
          refresh_token: str('For refresh_token'),
          scope: str('Space-separated, for client_credentials'),
          ...clientFields,
        },
        ['grant_type'],
      ),
      responses: {
        200: {
          description: 'Token response (RFC 6749 §5.1)',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['access_token', 'token_type', 'expires_in'],
                properties: { access_token: { type: 'string' }, token_type: { type: 'string' }, expires_in: { type: 'integer' }, refresh_token: { type: 'string' }, scope: { type: 'string' }, id_token: { type: 'string' } },
              },
            },
          },
        },
        400: oauthError,
        401: oauthError,
        429: throttled,
        503: unavailable,
      },
    },
  },
  '/t/{tenant}/oauth/introspect': {
    post: {
      operationId: 'oauth-introspect',
      summary: 'Token introspection (RFC 7662); needs machine-client authentication',
      tags: ['oauth'],
      servers: root,
      parameters: [tenant],
      security: clientAuth,
      requestBody: form({ token: str('An access or refresh token'), token_type_hint: str('Ignored'), ...clientFields }, ['token']),
      responses: {
        200: { description: '`{"active": false}` for anything not active or not this tenant\'s', content: { 'application/json': { schema: { type: 'object', required: ['active'], properties: { active: { type: 'boolean' } } } } } },
        400: oauthError,
        401: oauthError,
        429: throttled,
        503: unavailable,
      },
    },
  },
  '/t/{tenant}/oauth/revoke': {
    post: {
      operationId: 'oauth-revoke',
      summary: 'Token revocation (RFC 7009): a refresh token ends its session; an access token is revoked alone',
      tags: ['oauth'],
      servers: root,
      parameters: [tenant],
      security: clientAuth,
      requestBody: form({ token: str('An access or refresh token'), token_type_hint: str('Ignored'), ...clientFields }, ['token']),
      responses: { 200: { description: 'Revoked, or not a token of ours (always 200)' }, 400: oauthError, 401: oauthError, 429: throttled, 503: unavailable },
    },
  },
  '/t/{tenant}/oauth/authorize': {
    get: {
      operationId: 'oidc-authorize',
      summary: 'OpenID Connect authorization endpoint (response_type=code, PKCE S256): redirects to the hosted sign-in or consent page, or back to the client',
      tags: ['oauth'],
      servers: root,
      parameters: [
        tenant,
        ...['client_id', 'redirect_uri', 'response_type', 'scope', 'state', 'nonce', 'code_challenge', 'code_challenge_method', 'prompt', 'max_age', 'resource', 'login_hint'].map((name) => ({ name, in: 'query', required: false, schema: { type: 'string' } })),
      ],
      responses: { 303: { description: 'To the sign-in or consent page, or to the redirect URI with code (or error) and state' }, 400: oauthError },
    },
  },
  '/t/{tenant}/oauth/userinfo': {
    get: {
      operationId: 'oidc-userinfo',
      summary: "OpenID Connect userinfo: the claims the access token's scopes release",
      tags: ['oauth'],
      servers: root,
      parameters: [tenant],
      security: [{ bearer: [] }],
      responses: { 200: { description: 'Claims (sub, and name/email per scope)', content: { 'application/json': { schema: { type: 'object', required: ['sub'], properties: { sub: { type: 'string' } } } } } }, 401: oauthError, 403: oauthError },
    },
  },
  '/t/{tenant}/oauth/end-session': {
    get: {
      operationId: 'oidc-end-session',
      summary: 'RP-initiated logout: ends the browser session, then redirects to a registered post_logout_redirect_uri (or the signed-out page)',
      tags: ['oauth'],
      servers: root,
      parameters: [tenant, ...['id_token_hint', 'client_id', 'post_logout_redirect_uri', 'state'].map((name) => ({ name, in: 'query', required: false, schema: { type: 'string' } }))],
      responses: { 303: { description: 'To post_logout_redirect_uri (with state) or the signed-out page' }, 400: oauthError },
    },
  },
};
