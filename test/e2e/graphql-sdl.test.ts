import { describe, expect, it } from 'vitest';
import { committedSdl, renderSdl } from '@plinto/api';

/** The committed SDL (api/schema.graphql) is the schema the routers generate (`pnpm graphql:check` in CI too). */
describe('GraphQL SDL', () => {
  it('api/schema.graphql matches the schema built from the routers', () => {
    expect(committedSdl(), 'run `pnpm graphql:generate` and commit api/schema.graphql').toBe(renderSdl());
  });

  it('covers every resource a tenant admin or user reaches over REST, and the realtime streams', () => {
    const sdl = renderSdl();
    for (const field of ['tenantsCurrent', 'usersList', 'usersSessions', 'sessionsList', 'orgsList', 'orgsListMembers', 'orgsListTeams', 'invitationsList', 'policiesRolesList', 'policiesList', 'policiesEvaluate', 'apiKeysList', 'clientsList', 'signingKeysList', 'webhooksListEndpoints', 'webhooksListMessages', 'webhooksListDeadLetters', 'auditLogsList', 'auditLogsStats', 'auditLogsIntegrity', 'node', 'organizationEvents', 'tenantEvents', 'userEvents']) {
      expect(sdl).toMatch(new RegExp(`\\n  ${field}[(:]`));
    }
  });
});
