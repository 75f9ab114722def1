import { beforeAll, describe, expect, it } from 'vitest';
import { TRPCClientError, createTRPCClient, httpLink } from '@trpc/client';
import superjson from 'superjson';
import { AppError, createLogger, createRedis, createServiceContextFactory, type ServiceContext } from '@plinto/kernel';
import { contextDeps, moduleServices } from '@plinto/platform';
import { appRouter, type AppRouter } from '@plinto/api';
import { codeOfError, onCleanup, record, sseRealtimeClient, startTestApi, statusOfError, type TestApi } from '../src';
import { WALK, walkWorld, type WalkWorld } from './authz-walk.support';

/**
 * Every module's caller-facing services, called directly — no HTTP, no tRPC, only a service context
 * as any new transport would build — by an unprivileged principal (a signed-in user holding only
 * the viewer role): each answers exactly as the API answers the same principal, and every
 * state-changing one refuses. None is skipped: a service is listed here with its procedure, or
 * among those that need no permission.
 */
type Args = (input: any) => unknown[];
interface DirectCase {
  procedure: string;
  args: Args;
  /** Input when the procedure is not in the walk (tenants). */
  input?: (w: WalkWorld) => unknown;
  /** A mutation only because its input is a body (a preview renders, it changes nothing): a viewer may call it. */
  readsOnly?: true;
}

const one: Args = (i) => [i];
const none: Args = () => [];
const byKey = (key: string): Args => (i) => [i[key]];
const withRest = (key: string): Args => (i) => {
  const { [key]: id, ...rest } = i;
  return [id, rest];
};

const CASES: Record<string, DirectCase> = {
  'tenants.createTenant': { procedure: 'tenants.create', args: one, input: () => ({ slug: 'direct-new', name: 'New' }) },
  'tenants.listTenants': { procedure: 'tenants.list', args: one, input: () => ({ limit: 5 }) },
  'tenants.getTenant': { procedure: 'tenants.get', args: byKey('tenantId'), input: (w) => ({ tenantId: w.tenantId }) },
  'tenants.updateTenant': { procedure: 'tenants.update', args: withRest('tenantId'), input: (w) => ({ tenantId: w.tenantId, name: 'Renamed' }) },
  'tenants.getTenantSettings': { procedure: 'tenants.settings', args: none },
  'tenants.updateTenantSettings': { procedure: 'tenants.updateSettings', args: byKey('settings') },
  'tenants.setTenantStatus': { procedure: 'tenants.disable', args: (i) => [i.tenantId, 'disabled'], input: (w) => ({ tenantId: w.tenantId }) },
  'tenants.listPlatformKeys': { procedure: 'platformKeys.list', args: one, input: () => ({ limit: 5 }) },
  'tenants.createPlatformKey': { procedure: 'platformKeys.create', args: one, input: () => ({ name: 'viewer-made' }) },
  'tenants.revokePlatformKey': { procedure: 'platformKeys.revoke', args: one, input: () => ({ id: '0190a0a0-0000-7000-8000-000000000000' }) },
  'authz.createPolicy': { procedure: 'policies.create', args: one },
  'authz.updatePolicy': { procedure: 'policies.update', args: one },
  'authz.deletePolicy': { procedure: 'policies.delete', args: byKey('id') },
  'authz.getPolicy': { procedure: 'policies.get', args: byKey('id') },
  'authz.listPolicies': { procedure: 'policies.list', args: one },
  'authz.createRole': { procedure: 'policies.roles.create', args: one },
  'authz.listRoles': { procedure: 'policies.roles.list', args: one },
  'authz.assignRole': { procedure: 'policies.roles.assign', args: one },
  'authz.unassignRole': { procedure: 'policies.roles.unassign', args: one },
  'authz.evaluate': { procedure: 'policies.evaluate', args: one },
  'authz.evaluateBatch': { procedure: 'policies.evaluateBatch', args: byKey('requests') },
  'authz.listPermissions': { procedure: 'policies.permissions', args: none },
  'authz.policyVersion': { procedure: 'policies.version', args: none },
  'authz.getSettings': { procedure: 'policies.settings.get', args: none },
  'authz.updateSettings': { procedure: 'policies.settings.update', args: one },
  'authz.listDecisions': { procedure: 'policies.decisions', args: one },
  'auth.listUsers': { procedure: 'users.list', args: one },
  'auth.getUser': { procedure: 'users.get', args: byKey('userId') },
  'auth.getUsers': { procedure: 'users.get', args: (i) => [[i.userId]] },
  'auth.updateUser': { procedure: 'users.update', args: withRest('userId') },
  'auth.setUserDisabled': { procedure: 'users.disable', args: (i) => [i.userId, true] },
  'auth.deleteUser': { procedure: 'users.delete', args: byKey('userId') },
  'auth.createUser': { procedure: 'users.create', args: one },
  'auth.resetUserMfa': { procedure: 'users.resetMfa', args: byKey('userId') },
  'auth.resendVerification': { procedure: 'users.resendVerification', args: byKey('userId') },
  'auth.listUserIdentities': { procedure: 'users.identities', args: byKey('userId') },
  'auth.listUserSessions': { procedure: 'users.sessions', args: withRest('userId') },
  'auth.revokeUserSession': { procedure: 'users.revokeSession', args: (i) => [i.userId, i.sessionId] },
  'auth.revokeAllUserSessions': { procedure: 'users.revokeAllSessions', args: byKey('userId') },
  'auth.createConnection': { procedure: 'connections.create', args: one },
  'auth.listConnections': { procedure: 'connections.list', args: none },
  'auth.updateConnection': { procedure: 'connections.update', args: one },
  'auth.deleteConnection': { procedure: 'connections.delete', args: byKey('id') },
  'auth.listUserPasskeys': { procedure: 'users.passkeys', args: byKey('userId') },
  'auth.deleteUserPasskey': { procedure: 'users.deletePasskey', args: (i) => [i.userId, i.id] },
  'auth.listSigningKeys': { procedure: 'signingKeys.list', args: none },
  'auth.rotateSigningKeyNow': { procedure: 'signingKeys.rotate', args: none },
  'auth.createApiKey': { procedure: 'apiKeys.create', args: one },
  'auth.listApiKeys': { procedure: 'apiKeys.list', args: one },
  'auth.revokeApiKey': { procedure: 'apiKeys.revoke', args: byKey('id') },
  'email.listTemplates': { procedure: 'emailTemplates.list', args: none },
  'email.getTemplate': { procedure: 'emailTemplates.get', args: byKey('template') },
  'email.saveTemplate': { procedure: 'emailTemplates.update', args: withRest('template') },
  'email.resetTemplate': { procedure: 'emailTemplates.reset', args: byKey('template') },
  'email.previewTemplate': { procedure: 'emailTemplates.preview', args: (i) => [i.template, i.draft], readsOnly: true },
  'auth.createClient': { procedure: 'clients.create', args: one },
  'auth.listClients': { procedure: 'clients.list', args: one },
  'auth.revokeClient': { procedure: 'clients.revoke', args: byKey('id') },
  'auth.createApplication': { procedure: 'applications.create', args: one },
  'auth.listApplications': { procedure: 'applications.list', args: one },
  'auth.getApplication': { procedure: 'applications.get', args: byKey('id') },
  'auth.updateApplication': { procedure: 'applications.update', args: one },
  'auth.rotateApplicationSecret': { procedure: 'applications.rotateSecret', args: byKey('id') },
  'auth.revokeApplication': { procedure: 'applications.revoke', args: byKey('id') },
  'webhooks.createEndpoint': { procedure: 'webhooks.createEndpoint', args: one },
  'webhooks.listEndpoints': { procedure: 'webhooks.listEndpoints', args: one },
  'webhooks.getEndpoint': { procedure: 'webhooks.getEndpoint', args: byKey('endpointId') },
  'webhooks.updateEndpoint': { procedure: 'webhooks.updateEndpoint', args: withRest('endpointId') },
  'webhooks.deleteEndpoint': { procedure: 'webhooks.deleteEndpoint', args: byKey('endpointId') },
  'webhooks.rotateSecret': { procedure: 'webhooks.rotateSecret', args: withRest('endpointId') },
  'webhooks.sendTestMessage': { procedure: 'webhooks.testEndpoint', args: withRest('endpointId') },
  'webhooks.listEndpointMessages': { procedure: 'webhooks.listMessages', args: withRest('endpointId') },
  'webhooks.getMessage': { procedure: 'webhooks.getMessage', args: byKey('messageId') },
  'webhooks.replayMessage': { procedure: 'webhooks.replayMessage', args: byKey('messageId') },
  'webhooks.listDeadLetters': { procedure: 'webhooks.listDeadLetters', args: one },
  'webhooks.recoverEndpoint': { procedure: 'webhooks.recoverEndpoint', args: withRest('endpointId') },
  'audit.listAuditLogs': { procedure: 'auditLogs.list', args: one },
  'audit.getAuditLog': { procedure: 'auditLogs.get', args: (i) => [i.id, i.organizationId] },
  'audit.getAuditStats': { procedure: 'auditLogs.stats', args: one },
  'audit.getAnalytics': { procedure: 'auditLogs.analytics', args: one },
  'audit.prepareAuditExport': { procedure: 'auditLogs.export', args: one },
  'audit.cleanupAuditLogs': { procedure: 'auditLogs.cleanup', args: none },
  'audit.verifyAuditIntegrity': { procedure: 'auditLogs.integrity', args: none },
  'audit.declareAppEventSchema': { procedure: 'auditLogs.declareSchema', args: one },
  'audit.listAppEventSchemas': { procedure: 'auditLogs.schemas', args: none },
  'audit.appendAppEvent': { procedure: 'auditLogs.append', args: one },
  'audit.appendAppEvents': { procedure: 'auditLogs.appendMany', args: (i) => [i.events] },
  'orgs.createOrg': { procedure: 'orgs.create', args: one },
  'orgs.getOrg': { procedure: 'orgs.get', args: byKey('orgId') },
  'orgs.listUserOrgs': { procedure: 'orgs.listForUser', args: withRest('userId') },
  'orgs.updateOrg': { procedure: 'orgs.update', args: withRest('orgId') },
  'orgs.deleteOrg': { procedure: 'orgs.delete', args: byKey('orgId') },
  'orgs.listMembers': { procedure: 'orgs.listMembers', args: withRest('orgId') },
  'orgs.addMember': { procedure: 'orgs.addMember', args: withRest('orgId') },
  'orgs.changeMemberRole': { procedure: 'orgs.updateMember', args: (i) => [i.orgId, i.userId, i.role] },
  'orgs.removeMember': { procedure: 'orgs.removeMember', args: (i) => [i.orgId, i.userId] },
  'orgs.activateOrg': { procedure: 'orgs.activate', args: byKey('orgId') },
  'orgs.listTeams': { procedure: 'orgs.listTeams', args: withRest('orgId') },
  'orgs.teamsOfMembers': { procedure: 'orgs.listTeams', args: (i) => [i.orgId, []] },
  'orgs.createTeam': { procedure: 'orgs.createTeam', args: withRest('orgId') },
  'orgs.getTeam': { procedure: 'orgs.getTeam', args: (i) => [i.orgId, i.teamId] },
  'orgs.updateTeam': { procedure: 'orgs.updateTeam', args: ({ orgId, teamId, ...patch }) => [orgId, teamId, patch] },
  'orgs.deleteTeam': { procedure: 'orgs.deleteTeam', args: (i) => [i.orgId, i.teamId] },
  'orgs.listTeamMembers': { procedure: 'orgs.listTeamMembers', args: ({ orgId, teamId, ...query }) => [orgId, teamId, query] },
  'orgs.addTeamMember': { procedure: 'orgs.addTeamMember', args: (i) => [i.orgId, i.teamId, i.userId] },
  'orgs.removeTeamMember': { procedure: 'orgs.removeTeamMember', args: (i) => [i.orgId, i.teamId, i.userId] },
  'orgs.listDomains': { procedure: 'orgs.listDomains', args: byKey('orgId') },
  'orgs.addDomain': { procedure: 'orgs.addDomain', args: withRest('orgId') },
  'orgs.updateDomain': { procedure: 'orgs.updateDomain', args: ({ orgId, domainId, ...patch }) => [orgId, domainId, patch] },
  'orgs.verifyDomain': { procedure: 'orgs.verifyDomain', args: (i) => [i.orgId, i.domainId] },
  'orgs.removeDomain': { procedure: 'orgs.removeDomain', args: (i) => [i.orgId, i.domainId] },
  'invitations.createInvitation': { procedure: 'invitations.create', args: one },
  'invitations.bulkCreateInvitations': { procedure: 'invitations.bulkCreate', args: one },
  'invitations.listInvitations': { procedure: 'invitations.list', args: one },
  'invitations.getInvitation': { procedure: 'invitations.get', args: byKey('id') },
  'invitations.updateInvitation': { procedure: 'invitations.update', args: one },
  'invitations.resendInvitation': { procedure: 'invitations.resend', args: one },
  'invitations.revokeInvitation': { procedure: 'invitations.revoke', args: byKey('id') },
  'invitations.cleanupInvitations': { procedure: 'invitations.cleanup', args: one },
  'realtime.subscribe': { procedure: 'realtime.tenant', args: (i) => [{ stream: { kind: 'tenant', types: i.types } }] },
};

/** Services that need no permission: anyone may call them, or a principal acts on itself only. */
const NO_PERMISSION = new Set([
  'tenants.currentTenant',
  'tenants.publicBranding',
  'auth.signUp',
  'auth.signIn',
  'auth.verifyEmail',
  'auth.requestPasswordReset',
  'auth.resetPassword',
  'auth.requestMagicLink',
  'auth.consumeMagicLink',
  'auth.verifyMfa',
  'auth.refreshTokens',
  'auth.enrollTotp',
  'auth.confirmTotp',
  'auth.disableTotp',
  'auth.regenerateRecoveryCodes',
  'auth.me',
  'authz.myPermissions',
  'auth.currentSession',
  'auth.listMySessions',
  'auth.revokeMySession',
  'auth.revokeOtherSessions',
  'auth.signOut',
  'auth.updateMyProfile',
  'auth.changeMyPassword',
  'auth.requestEmailChange',
  'auth.confirmEmailChange',
  'auth.listMyConsents',
  'auth.revokeMyConsent',
  'auth.passkeyRegistrationOptions',
  'auth.registerPasskey',
  'auth.passkeySignInOptions',
  'auth.passkeySignIn',
  'auth.passkeyMfaOptions',
  'auth.verifyPasskeyMfa',
  'auth.listMyPasskeys',
  'auth.renamePasskey',
  'auth.deletePasskey',
  'auth.listSignInConnections',
  'auth.listMyIdentities',
  'auth.unlinkIdentity',
  'auth.startSocialSignIn',
  'auth.finishSocialSignIn',
  'webhooks.listEventTypes',
  'audit.listActions',
  'orgs.listOrgs',
  'orgs.leaveOrg',
  'invitations.acceptInvitation',
  'invitations.validateInvitation',
]);

type Procedure = { _def: { type: 'query' | 'mutation' | 'subscription'; meta?: { permission?: string } } };
const procedureOf = (path: string) => (appRouter._def.procedures as unknown as Record<string, Procedure>)[path]!;

const T = 'direct';
let api: TestApi;
let world: WalkWorld;
let viewerToken: string;
let asViewer: () => Promise<ServiceContext>;

beforeAll(async () => {
  api = await startTestApi({ WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000' });
  world = await walkWorld(api, T);
  const viewer = await world.freshUser();
  const roles = (await world.rest('GET', '/v1/policies/roles?limit=100')).body.items as { id: string; name: string }[];
  expect((await world.rest('POST', `/v1/policies/roles/${roles.find((r) => r.name === 'viewer')!.id}/assign`, { userId: viewer.id })).status).toBe(201);
  viewerToken = viewer.token;
  const redis = createRedis(api.config.REDIS_URL, 'producer', 'test-direct');
  onCleanup(async () => redis.disconnect());
  const factory = createServiceContextFactory({ ...contextDeps(api.server.services), orm: api.server.orm, redis, config: api.config, logger: createLogger({ LOG_LEVEL: 'silent' }, 'test-direct') });
  asViewer = () => factory({ request: { requestId: 'direct', ip: '127.0.0.1', userAgent: 'test' }, bearer: viewerToken, tenantSlug: null });
}, 120_000);

type Outcome = { ok: true } | { ok: false; status: number; code: string };

async function overHttp(path: string, input: unknown): Promise<Outcome> {
  if (path === 'auditLogs.export') {
    const res = await api.rest('POST', '/v1/audit-logs/export', { token: viewerToken, tenant: T, body: input });
    return res.status < 300 ? { ok: true } : { ok: false, status: res.status, code: res.body.error.code };
  }
  if (procedureOf(path)._def.type === 'subscription') {
    // Over SSE: the server's `ready` (allowed) or the error the stream ends with.
    const received = record(path.split('.').reduce((node: any, key) => node[key], sseRealtimeClient(api.url, { token: viewerToken }).trpc), input);
    try {
      await received.ready;
      return { ok: true };
    } catch (error) {
      return { ok: false, status: statusOfError(error), code: codeOfError(error)! };
    } finally {
      received.unsubscribe();
    }
  }
  const client = createTRPCClient<AppRouter>({ links: [httpLink({ url: `${api.url}/trpc`, transformer: superjson, headers: { authorization: `Bearer ${viewerToken}` } })] });
  const target = path.split('.').reduce((node: any, key) => node[key], client);
  try {
    await (procedureOf(path)._def.type === 'query' ? target.query(input) : target.mutate(input));
    return { ok: true };
  } catch (error) {
    if (!(error instanceof TRPCClientError)) throw error;
    const data = error.data as { httpStatus: number; code: string };
    return { ok: false, status: data.httpStatus, code: data.code };
  }
}

async function directly(fn: (...args: any[]) => Promise<unknown>, args: unknown[]): Promise<Outcome> {
  try {
    await fn(await asViewer(), ...args);
    return { ok: true };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return { ok: false, status: error.status, code: error.appCode };
  }
}

describe("every module's services decide their own permission", () => {
  it('lists every service, with its procedure or as needing no permission', () => {
    const services = Object.entries(moduleServices).flatMap(([module, fns]) => Object.keys(fns).map((name) => `${module}.${name}`));
    const unlisted = services.filter((s) => !CASES[s] && !NO_PERMISSION.has(s));
    expect(unlisted).toEqual([]);
    expect(Object.keys(CASES).filter((s) => !services.includes(s))).toEqual([]);
  });

  for (const [service, call] of Object.entries(CASES)) {
    it(`${service}, called directly by a viewer, answers as ${call.procedure} does over the API`, async () => {
      const [module, name] = service.split('.') as [string, string];
      const fn = moduleServices[module]![name]!;
      const input = call.input ? call.input(world) : await WALK[call.procedure]!.input(world);
      const direct = await directly(fn, call.args(input));
      const http = await overHttp(call.procedure, input);
      expect(direct).toEqual(http);
      // A change is refused: 403, or the 404 of what the viewer may see but is no part of (a member-only action).
      if (procedureOf(call.procedure)._def.type === 'mutation' && !call.readsOnly) expect(direct.ok === false && [403, 404].includes(direct.status), `${service} changes state: ${JSON.stringify(direct)}`).toBe(true);
    });
  }
});
