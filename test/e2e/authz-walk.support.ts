import { expect } from 'vitest';
import { signedInUser, type TestApi } from '../src';

/**
 * The world the permission walk runs in: one tenant, with one of every kind of object a procedure
 * can name, made by the platform operator over REST. Objects that a successful call would destroy
 * (delete, revoke, remove) are made fresh for that call (the `fresh*` makers).
 */
export interface WalkWorld {
  api: TestApi;
  tenant: string;
  tenantId: string;
  rest(method: string, path: string, body?: unknown): ReturnType<TestApi['rest']>;
  /** A user of the tenant with no role. */
  freshUser(): Promise<{ id: string; token: string; sessionId: string }>;
  freshOrg(): Promise<string>;
  freshPolicy(): Promise<string>;
  freshApiKey(): Promise<string>;
  freshClient(): Promise<string>;
  freshApplication(): Promise<string>;
  freshInvitation(): Promise<string>;
  freshEndpoint(): Promise<string>;
  freshTeam(): Promise<string>;
  /** A member of `org` with the org role `viewer`, and in `team`. */
  freshMember(): Promise<string>;
  org: string;
  team: string;
  role: string;
  endpoint: string;
  message: string;
  auditEvent: string;
}

let seq = 0;
const unique = (what: string) => `${what}-${Date.now().toString(36)}-${(seq++).toString(36)}`;

/** A domain claimed by the walk's organization (made by the platform operator). */
async function freshDomain(w: WalkWorld): Promise<string> {
  const res = await w.rest('POST', `/v1/orgs/${w.org}/domains`, { domain: `${unique('d')}.walk.test` });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

export async function walkWorld(api: TestApi, tenant: string): Promise<WalkWorld> {
  const rest: WalkWorld['rest'] = (method, path, body) => api.rest(method, path, { tenant, body });
  const ok = async (method: string, path: string, body?: unknown) => {
    const res = await rest(method, path, body);
    expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
    return res.body;
  };
  const created = await ok('POST', '/v1/tenants', { slug: tenant, name: tenant, settings: { usersCanCreateOrganizations: false } });
  const freshUser = async () => {
    const user = await signedInUser(api, { email: `${unique('u')}@${tenant}.test`, tenant });
    const me = await api.rest('GET', '/v1/me', { token: user.token, tenant });
    return { id: user.id, token: user.token, sessionId: me.body.session.id as string };
  };
  const owner = await freshUser();
  const freshOrg = async () => (await ok('POST', '/v1/orgs', { name: unique('Org'), ownerId: owner.id })).id as string;
  const org = await freshOrg();
  const freshTeam = async () => (await ok('POST', `/v1/orgs/${org}/teams`, { name: unique('team') })).id as string;
  const team = await freshTeam();
  const freshMember = async () => {
    const user = await freshUser();
    await ok('POST', `/v1/orgs/${org}/members`, { userId: user.id, role: 'viewer', teamIds: [team] });
    return user.id;
  };
  const freshEndpoint = async () => (await ok('POST', '/v1/webhooks/endpoints', { url: `http://127.0.0.1:9/${unique('hook')}` })).id as string;
  const endpoint = await freshEndpoint();
  const message = (await ok('POST', `/v1/webhooks/endpoints/${endpoint}/test`, {})).id as string;
  const role = (await ok('POST', '/v1/policies/roles', { name: unique('app-role'), permissions: ['invoices:read'] })).id as string;
  const auditEvent = (await ok('GET', '/v1/audit-logs?limit=1')).items[0].id as string;
  return {
    api,
    tenant,
    tenantId: created.id,
    rest,
    freshUser,
    freshOrg,
    freshPolicy: async () =>
      (await ok('POST', '/v1/policies', { name: unique('policy'), effect: 'allow', subjects: ['role:viewer'], actions: ['invoices:read'], resources: ['*'] })).id,
    freshApiKey: async () => (await ok('POST', '/v1/api-keys', { name: unique('key'), role: 'viewer' })).id,
    freshClient: async () => (await ok('POST', '/v1/clients', { name: unique('client'), roles: ['viewer'] })).id,
    freshApplication: async () => (await ok('POST', '/v1/applications', { name: unique('app'), type: 'web', redirectUris: ['https://app.example/callback'] })).id,
    freshInvitation: async () => (await ok('POST', '/v1/invitations', { organizationId: org, email: `${unique('i')}@${tenant}.test` })).id,
    freshEndpoint,
    freshTeam,
    freshMember,
    org,
    team,
    role,
    endpoint,
    message,
    auditEvent,
  };
}

/**
 * One call per protected procedure: its input (made fresh where the call would destroy what it
 * names), `as: 'user'` when the procedure needs a signed-in user's session, and `rest` for the one
 * procedure that is a stream over tRPC.
 */
export interface WalkCase {
  input(w: WalkWorld): Promise<unknown> | unknown;
  as?: 'user';
  /** The user must be a member of `w.org` (for `as: 'user'` with the permission). */
  member?: boolean;
  rest?: { method: string; path: string };
}

const page = { limit: 5 };

export const WALK: Record<string, WalkCase> = {
  'emailTemplates.list': { input: () => ({}) },
  'emailTemplates.get': { input: () => ({ template: 'magic_link' }) },
  'emailTemplates.update': { input: () => ({ template: 'magic_link', subject: 'Sign in to {{appName}}', text: 'Link: {{link}}', html: '<a href="{{link}}">Sign in</a>' }) },
  'emailTemplates.reset': { input: () => ({ template: 'magic_link' }) },
  'emailTemplates.preview': { input: () => ({ template: 'magic_link' }) },
  'tenants.settings': { input: () => ({}) },
  'tenants.updateSettings': { input: () => ({ settings: { branding: { displayName: unique('Walk') } } }) },
  'webhooks.createEndpoint': { input: () => ({ url: `http://127.0.0.1:9/${unique('hook')}` }) },
  'webhooks.listEndpoints': { input: () => page },
  'webhooks.getEndpoint': { input: (w) => ({ endpointId: w.endpoint }) },
  'webhooks.updateEndpoint': { input: (w) => ({ endpointId: w.endpoint, description: unique('d') }) },
  'webhooks.deleteEndpoint': { input: async (w) => ({ endpointId: await w.freshEndpoint() }) },
  'webhooks.rotateSecret': { input: (w) => ({ endpointId: w.endpoint }) },
  'webhooks.testEndpoint': { input: (w) => ({ endpointId: w.endpoint }) },
  'webhooks.listMessages': { input: (w) => ({ endpointId: w.endpoint, ...page }) },
  'webhooks.getMessage': { input: (w) => ({ messageId: w.message }) },
  'webhooks.replayMessage': { input: (w) => ({ messageId: w.message }) },
  'webhooks.listDeadLetters': { input: () => page },
  'webhooks.recoverEndpoint': { input: (w) => ({ endpointId: w.endpoint, since: new Date(0).toISOString() }) },
  'users.list': { input: () => page },
  'users.create': { input: () => ({ email: `${unique('u')}@walk.test`, sendEmail: false }) },
  'users.resetMfa': { input: async (w) => ({ userId: (await w.freshUser()).id }) },
  'users.resendVerification': { input: async (w) => ({ userId: (await w.freshUser()).id }) },
  'users.identities': { input: async (w) => ({ userId: (await w.freshUser()).id }) },
  'users.get': { input: async (w) => ({ userId: (await w.freshUser()).id }) },
  'users.update': { input: async (w) => ({ userId: (await w.freshUser()).id, displayName: 'Renamed' }) },
  'users.disable': { input: async (w) => ({ userId: (await w.freshUser()).id }) },
  'users.enable': { input: async (w) => ({ userId: (await w.freshUser()).id }) },
  'users.delete': { input: async (w) => ({ userId: (await w.freshUser()).id }) },
  'users.sessions': { input: async (w) => ({ userId: (await w.freshUser()).id, ...page }) },
  'users.revokeSession': {
    input: async (w) => {
      const user = await w.freshUser();
      return { userId: user.id, sessionId: user.sessionId };
    },
  },
  'users.revokeAllSessions': { input: async (w) => ({ userId: (await w.freshUser()).id }) },
  'connections.list': { input: () => ({}) },
  'connections.create': { input: () => ({ slug: unique('c').slice(0, 40), provider: 'oidc', clientId: 'walk', clientSecret: 'walk-secret', issuer: 'https://issuer.example.com' }) },
  // No connection of that id: permitted callers get 404, the others 403 before the lookup.
  'connections.update': { input: () => ({ id: '0190a0a0-0000-7000-8000-000000000000', name: 'Renamed' }) },
  'connections.delete': { input: () => ({ id: '0190a0a0-0000-7000-8000-000000000000' }) },
  'users.passkeys': { input: async (w) => ({ userId: (await w.freshUser()).id }) },
  // No passkey of that id: permitted callers get 404, the others 403 before the lookup.
  'users.deletePasskey': { input: async (w) => ({ userId: (await w.freshUser()).id, id: '0190a0a0-0000-7000-8000-000000000000' }) },
  'policies.roles.create': { input: () => ({ name: unique('role'), permissions: ['invoices:read'] }) },
  'policies.roles.list': { input: () => page },
  'policies.roles.assign': { input: async (w) => ({ id: w.role, userId: (await w.freshUser()).id }) },
  'policies.roles.unassign': {
    input: async (w) => {
      const user = await w.freshUser();
      await w.rest('POST', `/v1/policies/roles/${w.role}/assign`, { userId: user.id });
      return { id: w.role, userId: user.id };
    },
  },
  'policies.evaluate': { input: () => ({ subject: 'user:someone', action: 'invoices:read', resource: 'invoice:1' }) },
  'policies.evaluateBatch': { input: () => ({ requests: [{ subject: 'user:someone', action: 'invoices:read', resource: 'invoice:1' }] }) },
  'policies.permissions': { input: () => ({}) },
  'policies.version': { input: () => ({}) },
  'policies.decisions': { input: () => page },
  'policies.settings.get': { input: () => ({}) },
  'policies.settings.update': { input: () => ({ decisionLogSampleRate: 0 }) },
  'policies.create': { input: () => ({ name: unique('policy'), effect: 'allow', subjects: ['role:viewer'], actions: ['invoices:read'], resources: ['*'] }) },
  'policies.list': { input: () => page },
  'policies.get': { input: async (w) => ({ id: await w.freshPolicy() }) },
  'policies.update': { input: async (w) => ({ id: await w.freshPolicy(), name: unique('renamed') }) },
  'policies.delete': { input: async (w) => ({ id: await w.freshPolicy() }) },
  'auditLogs.list': { input: () => page },
  'auditLogs.stats': { input: () => ({}) },
  'auditLogs.analytics': { input: () => ({}) },
  'auditLogs.export': { input: () => ({ format: 'jsonl', limit: 5 }), rest: { method: 'POST', path: '/v1/audit-logs/export' } },
  'auditLogs.cleanup': { input: () => ({}) },
  'auditLogs.integrity': { input: () => ({}) },
  'auditLogs.declareSchema': { input: () => ({ action: 'invoice.walked', dataSchema: { fields: {}, additionalFields: true } }) },
  'auditLogs.schemas': { input: () => ({}) },
  'auditLogs.append': {
    input: async (w) => {
      await w.rest('POST', '/v1/audit-logs/schemas', { action: 'invoice.appended', dataSchema: { fields: {}, additionalFields: true } });
      return { action: 'invoice.appended', data: {} };
    },
  },
  'auditLogs.appendMany': {
    input: async (w) => {
      await w.rest('POST', '/v1/audit-logs/schemas', { action: 'invoice.appended', dataSchema: { fields: {}, additionalFields: true } });
      return { events: [{ action: 'invoice.appended', data: {} }] };
    },
  },
  'auditLogs.get': { input: (w) => ({ id: w.auditEvent }) },
  'signingKeys.list': { input: () => ({}) },
  'signingKeys.rotate': { input: () => ({}) },
  'apiKeys.create': { input: () => ({ name: unique('key'), role: 'viewer' }) },
  'apiKeys.list': { input: () => page },
  'apiKeys.revoke': { input: async (w) => ({ id: await w.freshApiKey() }) },
  'clients.create': { input: () => ({ name: unique('client'), roles: ['viewer'] }) },
  'clients.list': { input: () => page },
  'clients.revoke': { input: async (w) => ({ id: await w.freshClient() }) },
  'applications.create': { input: () => ({ name: unique('app'), type: 'spa', redirectUris: ['http://127.0.0.1:5173/callback'] }) },
  'applications.list': { input: () => page },
  'applications.get': { input: async (w) => ({ id: await w.freshApplication() }) },
  'applications.update': { input: async (w) => ({ id: await w.freshApplication(), name: unique('renamed') }) },
  'applications.rotateSecret': { input: async (w) => ({ id: await w.freshApplication() }) },
  'applications.revoke': { input: async (w) => ({ id: await w.freshApplication() }) },
  'orgs.create': { input: () => ({ name: unique('Org') }) },
  'orgs.get': { input: (w) => ({ orgId: w.org }) },
  'orgs.listForUser': { input: async (w) => ({ userId: (await w.freshUser()).id, ...page }) },
  'orgs.update': { input: (w) => ({ orgId: w.org, name: unique('Renamed') }) },
  'orgs.delete': { input: async (w) => ({ orgId: await w.freshOrg() }) },
  'orgs.listMembers': { input: (w) => ({ orgId: w.org, ...page }) },
  'orgs.addMember': { input: async (w) => ({ orgId: w.org, userId: (await w.freshUser()).id, role: 'viewer' }) },
  'orgs.updateMember': { input: async (w) => ({ orgId: w.org, userId: await w.freshMember(), role: 'member' }) },
  'orgs.removeMember': { input: async (w) => ({ orgId: w.org, userId: await w.freshMember() }) },
  'orgs.activate': { input: (w) => ({ orgId: w.org }), as: 'user', member: true },
  'orgs.listTeams': { input: (w) => ({ orgId: w.org, ...page }) },
  'orgs.createTeam': { input: (w) => ({ orgId: w.org, name: unique('team') }) },
  'orgs.getTeam': { input: (w) => ({ orgId: w.org, teamId: w.team }) },
  'orgs.updateTeam': { input: (w) => ({ orgId: w.org, teamId: w.team, description: unique('d') }) },
  'orgs.deleteTeam': { input: async (w) => ({ orgId: w.org, teamId: await w.freshTeam() }) },
  'orgs.listTeamMembers': { input: (w) => ({ orgId: w.org, teamId: w.team, ...page }) },
  'orgs.addTeamMember': {
    input: async (w) => {
      const user = await w.freshUser();
      await w.rest('POST', `/v1/orgs/${w.org}/members`, { userId: user.id, role: 'viewer' });
      return { orgId: w.org, teamId: w.team, userId: user.id };
    },
  },
  'orgs.removeTeamMember': { input: async (w) => ({ orgId: w.org, teamId: w.team, userId: await w.freshMember() }) },
  'orgs.listDomains': { input: (w) => ({ orgId: w.org }) },
  'orgs.addDomain': { input: (w) => ({ orgId: w.org, domain: `${unique('d')}.walk.test` }) },
  'orgs.updateDomain': { input: async (w) => ({ orgId: w.org, domainId: await freshDomain(w), autoJoin: false }) },
  'orgs.verifyDomain': { input: async (w) => ({ orgId: w.org, domainId: await freshDomain(w) }) },
  'orgs.removeDomain': { input: async (w) => ({ orgId: w.org, domainId: await freshDomain(w) }) },
  'invitations.create': { input: (w) => ({ organizationId: w.org, email: `${unique('inv')}@${w.tenant}.test` }) },
  'invitations.bulkCreate': { input: (w) => ({ organizationId: w.org, invitations: [{ email: `${unique('bulk')}@${w.tenant}.test` }] }) },
  'invitations.list': { input: () => page },
  'invitations.get': { input: async (w) => ({ id: await w.freshInvitation() }) },
  'invitations.update': { input: async (w) => ({ id: await w.freshInvitation(), expiresInDays: 3 }) },
  'invitations.resend': { input: async (w) => ({ id: await w.freshInvitation() }) },
  'invitations.revoke': { input: async (w) => ({ id: await w.freshInvitation() }) },
  'invitations.cleanup': { input: () => ({}) },
  // Subscriptions: walked over SSE (httpSubscriptionLink); allowed means the server's `ready` arrives.
  'realtime.organization': { input: (w) => ({ organizationId: w.org }) },
  'realtime.tenant': { input: () => ({ types: ['*'] }) },
};
