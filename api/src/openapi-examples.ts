/**
 * Examples on the main operations of the REST contract, keyed by operationId. The OpenAPI test
 * validates each example against its operation's schema, so an example cannot drift from the API.
 */
export interface OperationExamples {
  request?: unknown;
  responses?: Record<string, unknown>;
}

const USER = {
  id: '0192f0c2-7d1e-7a3b-9c4d-5e6f7a8b9c0d',
  email: 'ada@example.com',
  emailVerified: true,
  displayName: 'Ada Lovelace',
  metadata: {},
  disabled: false,
  mfaEnabled: false,
  lastSignInAt: '2026-12-06T04:00:00.000Z',
  createdAt: '2026-12-01T09:30:00.000Z',
  updatedAt: '2026-12-06T04:00:00.000Z',
};

const TOKENS = {
  access_token: 'eyJhbGciOiJFZERTQSIsInR5cCI6ImF0K2p3dCIsImtpZCI6ImsxIn0.eyJzdWIiOiIuLi4ifQ.c2lnbmF0dXJl',
  token_type: 'Bearer',
  expires_in: 900,
  refresh_token: 'rt_5m3Yq9vX2kP8wL1nR7tZ4cB6dF0hJ',
};

export const OPERATION_EXAMPLES: Record<string, OperationExamples> = {
  'auth-signUp': {
    request: { email: 'ada@example.com', password: 'correct horse battery staple', displayName: 'Ada Lovelace' },
    responses: { 202: { status: 'accepted', message: 'Check your inbox to verify your email address' } },
  },
  'auth-signIn': {
    request: { email: 'ada@example.com', password: 'correct horse battery staple' },
    responses: {
      200: { status: 'signed_in', ...TOKENS, session_id: '0192f0c2-8a11-7b22-8c33-9d44e55f6a77', amr: ['pwd'], aal: 1, user: USER },
      401: { error: { code: 'INVALID_CREDENTIALS', message: 'The credentials are not valid', requestId: '01J9ZQ4G6V7M3XK2B8N5T0R1CD' } },
    },
  },
  'auth-refresh': {
    request: { refresh_token: TOKENS.refresh_token },
    responses: { 200: TOKENS },
  },
  'policies-evaluate': {
    request: { subject: 'user:0192f0c2-7d1e-7a3b-9c4d-5e6f7a8b9c0d', action: 'read', resource: 'documents/42' },
    responses: {
      200: { result: { allow: true, policyId: null, roleId: '0192f0c2-9b00-7c11-8d22-9e33f44a5b66', reason: 'role editor grants read on documents/*' }, policyVersion: 7, decidedBy: 'engine' },
    },
  },
  'tenants-create': {
    request: { slug: 'acme', name: 'Acme Inc.' },
  },
  'orgs-create': {
    request: { name: 'Research', slug: 'research' },
  },
};
