/**
 * The signed policy bundle endpoint (api/src/http/policy-bundle.ts) in the OpenAPI document. Like
 * the OAuth endpoints it lives at the tenant's issuer, outside /v1, so it names its own server
 * (`/`) and its tenant is the path, not the X-Plinto-Tenant header. Errors are Plinto's REST error
 * body; 429/503 are the shared responses with Retry-After.
 */
const EXAMPLE_BUNDLE =
  'eyJhbGciOiJFZERTQSIsImtpZCI6ImtfMDFKOVpRNEc2VjdNM1hLMkI4TjVUMFIxQ0QiLCJ0eXAiOiJwbGludG8tcG9saWN5LWJ1bmRsZStqd3QifQ' +
  '.eyJpc3MiOiJodHRwczovL2lkLmV4YW1wbGUuY29tL3QvYWNtZSIsImlhdCI6MTc2NTAwMDAwMCwiZXhwIjoxNzY1MDAzNjAwLCJ0aWQiOiIwMUo5WlE0RzZWN00zWEsyQjhONVQwUjFDRCIsInZlciI6NDIsInAiOltbInJvbGU6dmlld2VyIiwiKiIsImRvY3VtZW50cyIsInJlYWQiLCJhbGxvdyJdXSwiZyI6W1sidXNlcjowMUo5WlE1QSIsInJvbGU6dmlld2VyIiwiKiJdXSwiY29uZGl0aW9ucyI6e30sImRlbGVnYXRlZCI6ZmFsc2V9' +
  '.BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBw';
const EXAMPLE_ETAG = '"42.1765000000.k_01J9ZQ4G6V7M3XK2B8N5T0R1CD"';

const error = (description: string, code: string, message: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' }, example: { error: { code, message, requestId: '01J9ZQ4G6V7M3XK2B8N5T0R1CD' } } } },
});
const etag = { description: 'Identifies this signed bundle; send it back as If-None-Match to revalidate', required: true, schema: { type: 'string' }, example: EXAMPLE_ETAG };
const policyVersion = { description: "The tenant's policy version the bundle carries (its `ver` claim); it only grows", required: true, schema: { type: 'integer', minimum: 0 }, example: 42 };

export const policyBundlePaths = {
  '/t/{tenant}/authz/bundle': {
    get: {
      operationId: 'authz-policy-bundle',
      summary: "The tenant's policy as a signed, versioned bundle for edge evaluators (@plinto/sdk/policy)",
      description:
        "A compact JWS (`typ` plinto-policy-bundle+jwt) signed with the tenant's access-token key, so the tenant's JWKS (/t/{tenant}/.well-known/jwks.json) verifies it. " +
        'It is valid for an hour; a policy change changes the version at once, so evaluators revalidate every few seconds with If-None-Match and get 304 while their copy is current. ' +
        'Needs an access token of this tenant (a machine client\'s, typically, or a user\'s) holding `policies:evaluate` tenant-wide.',
      tags: ['authz'],
      servers: [{ url: '/' }],
      parameters: [
        { name: 'tenant', in: 'path', required: true, schema: { type: 'string' }, description: 'The tenant slug; it must be the credential\'s own tenant' },
        { name: 'If-None-Match', in: 'header', required: false, schema: { type: 'string' }, example: EXAMPLE_ETAG, description: 'The ETag of the bundle the caller holds: 304 while it is still the one this server would send' },
      ],
      security: [{ bearer: [] }],
      responses: {
        200: {
          description: 'The signed bundle (claims iss, iat, exp, tid, ver, p, g, conditions, delegated)',
          headers: { ETag: etag, 'X-Plinto-Policy-Version': policyVersion },
          content: { 'application/jose': { schema: { type: 'string', pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$' }, example: EXAMPLE_BUNDLE } },
        },
        304: { description: 'Not modified: the If-None-Match ETag is current (no body)', headers: { ETag: etag, 'X-Plinto-Policy-Version': policyVersion } },
        401: error('No bearer credential, or one that is not valid', 'UNAUTHENTICATED', 'A bearer credential holding policies:evaluate is required'),
        403: error("The credential belongs to another tenant, lacks policies:evaluate, or the tenant is disabled", 'FORBIDDEN', 'The credential belongs to another tenant'),
        429: { $ref: '#/components/responses/TooManyRequests' },
        503: { $ref: '#/components/responses/ServiceUnavailable' },
      },
    },
  },
};
