import { beforeAll, describe, expect, it } from 'vitest';
import { signedInUser, sqlClient, startTestApi, type SignedInUser, type TestApi } from '../src';

/**
 * Teams over REST and tRPC: nesting (no cycles, bounded depth), team members, team roles that
 * apply to sub-teams — decided by the authz engine for a real sub-team member over HTTP — move,
 * rename, delete, and the refusals across organizations.
 */
let api: TestApi;
let db: ReturnType<typeof sqlClient>;
const T = 'orgs-teams';
const u: Record<string, SignedInUser> = {};
let org: string;
let other: string;
const teams: Record<string, string> = {};

const as = (name: string | null) => (method: string, path: string, body?: unknown) => api.rest(method, path, { token: name ? u[name]!.token : undefined, tenant: T, body });

const decide = async (name: string, action: string, organizationId?: string) => {
  const res = await api.rest('POST', '/v1/policies/evaluate', {
    tenant: T,
    body: { subject: `user:${u[name]!.id}`, action, resource: '*', context: organizationId ? { organizationId } : {} },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.result.allow as boolean;
};

async function createTeam(name: string, body: Record<string, unknown> = {}, by = 'owner') {
  const res = await as(by)('POST', `/v1/orgs/${org}/teams`, { name, ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  teams[name] = res.body.id;
  return res.body;
}

beforeAll(async () => {
  api = await startTestApi();
  db = sqlClient(api.config.DATABASE_URL);
  expect((await api.rest('POST', '/v1/tenants', { body: { slug: T, name: T } })).status).toBe(201);
  for (const name of ['owner', 'lead', 'dev', 'junior', 'outsider', 'deep']) u[name] = await signedInUser(api, { email: `${name}@teams.test`, tenant: T, displayName: name });
  org = (await as('owner')('POST', '/v1/orgs', { name: 'Teams Org' })).body.id;
  other = (await as('outsider')('POST', '/v1/orgs', { name: 'Other Org' })).body.id;
  for (const [name, role] of [['lead', 'admin'], ['dev', 'viewer'], ['junior', 'viewer']] as const) {
    expect((await as('owner')('POST', `/v1/orgs/${org}/members`, { userId: u[name]!.id, role })).status).toBe(201);
  }
});

describe('teams', () => {
  it('creates nested teams with roles; links mirror the tree; events are recorded', async () => {
    const eng = await createTeam('Engineering', { roles: ['admin'], description: 'All engineers' });
    expect(eng).toMatchObject({ organizationId: org, parentId: null, name: 'Engineering', roles: ['admin'], memberCount: 0 });
    const platform = await createTeam('Platform', { parentId: eng.id });
    await createTeam('Infra', { parentId: platform.id });
    const links = await db.query(`select v0, v1 from authz_rules where ptype = 'g' and v2 = $1 and v0 like 'team:%' order by v0, v1`, [org]);
    expect(links.rows).toEqual(
      [
        { v0: `team:${teams.Engineering}`, v1: 'role:admin' },
        { v0: `team:${teams.Platform}`, v1: `team:${teams.Engineering}` },
        { v0: `team:${teams.Infra}`, v1: `team:${teams.Platform}` },
      ].sort((a, b) => a.v0.localeCompare(b.v0) || a.v1.localeCompare(b.v1)),
    );
    const events = await db.query(`select data from audit_events where action = 'team.created' and organization_id = $1 order by id`, [org]);
    expect(events.rows.map((r) => r.data.name)).toEqual(['Engineering', 'Platform', 'Infra']);
    const dup = await as('owner')('POST', `/v1/orgs/${org}/teams`, { name: 'platform', parentId: eng.id });
    expect([dup.status, dup.body.error.code]).toEqual([409, 'TEAM_NAME_TAKEN']);
    const orphan = await as('owner')('POST', `/v1/orgs/${org}/teams`, { name: 'Orphan', parentId: other });
    expect([orphan.status, orphan.body.error.code, orphan.body.error.fields[0].path]).toEqual([404, 'TEAM_NOT_FOUND', 'parentId']);
  });

  it('a role given to a team applies to the members of its sub-teams (decided by the engine, used over HTTP)', async () => {
    expect(await decide('junior', 'members:write', org)).toBe(false);
    expect((await as('junior')('POST', `/v1/orgs/${org}/members`, { userId: u.outsider!.id, role: 'viewer' })).status).toBe(403);
    const joined = await as('owner')('POST', `/v1/orgs/${org}/teams/${teams.Infra}/members`, { userId: u.junior!.id });
    expect(joined.status, JSON.stringify(joined.body)).toBe(201);
    expect(joined.body).toMatchObject({ teamId: teams.Infra, userId: u.junior!.id, email: 'junior@teams.test' });
    // Infra → Platform → Engineering (admin): junior is an admin of this organization, and only of it.
    expect(await decide('junior', 'members:write', org)).toBe(true);
    expect(await decide('junior', 'members:write', other)).toBe(false);
    expect(await decide('junior', 'members:write')).toBe(false);
    const created = await as('junior')('POST', `/v1/orgs/${org}/teams`, { name: 'Made by junior', parentId: teams.Infra });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    teams['Made by junior'] = created.body.id;
    expect((await as('junior')('GET', `/v1/orgs/${other}`)).status).toBe(404);
  });

  it('moving a sub-team out of the tree takes the inherited role away at once', async () => {
    const moved = await as('owner')('PATCH', `/v1/orgs/${org}/teams/${teams.Infra}`, { parentId: null });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body.parentId).toBeNull();
    expect(await decide('junior', 'members:write', org)).toBe(false);
    expect((await as('junior')('POST', `/v1/orgs/${org}/teams`, { name: 'Nope' })).status).toBe(403);
    const event = await db.query(`select data from audit_events where action = 'team.updated' and target_id = $1`, [teams.Infra]);
    expect(event.rows[0].data).toMatchObject({ changes: ['parentId'], previousParentId: teams.Platform, parentId: null });
    // And back under Platform: the role returns.
    expect((await as('owner')('PATCH', `/v1/orgs/${org}/teams/${teams.Infra}`, { parentId: teams.Platform })).status).toBe(200);
    expect(await decide('junior', 'members:write', org)).toBe(true);
  });

  it('refuses cycles: a team under itself or under one of its sub-teams', async () => {
    for (const parentId of [teams.Engineering, teams.Infra, teams['Made by junior']]) {
      const res = await as('owner')('PATCH', `/v1/orgs/${org}/teams/${teams.Engineering}`, { parentId });
      expect([res.status, res.body.error.code, res.body.error.fields[0].path]).toEqual([409, 'TEAM_CYCLE', 'parentId']);
    }
    expect((await db.query('select parent_id from teams where id = $1', [teams.Engineering])).rows[0].parent_id).toBeNull();
  });

  it('bounds the depth at 5 levels, on create and on move', async () => {
    // Engineering > Platform > Infra > Made by junior is 4 deep; one more fits, then no more.
    await createTeam('Level5', { parentId: teams['Made by junior'] });
    const deep = await as('owner')('POST', `/v1/orgs/${org}/teams`, { name: 'Level6', parentId: teams.Level5 });
    expect([deep.status, deep.body.error.code]).toEqual([400, 'TEAM_TOO_DEEP']);
    const side = await createTeam('Side');
    await createTeam('SideChild', { parentId: side.id });
    const move = await as('owner')('PATCH', `/v1/orgs/${org}/teams/${side.id}`, { parentId: teams['Made by junior'] });
    expect([move.status, move.body.error.code]).toEqual([400, 'TEAM_TOO_DEEP']);
  });

  it('the engine follows the longest allowed chain: deepest team → top team → owner → admin → member → viewer', async () => {
    // A member whose own role carries nothing, so whatever they hold comes through the teams.
    const none = await api.rest('POST', '/v1/policies/roles', { tenant: T, body: { name: 'nothing', permissions: [], organizationId: org } });
    expect(none.status, JSON.stringify(none.body)).toBe(201);
    expect((await as('owner')('POST', `/v1/orgs/${org}/members`, { userId: u.deep!.id, role: 'nothing' })).status).toBe(201);
    let parentId: string | null = null;
    for (let level = 1; level <= 5; level++) parentId = (await createTeam(`Deep${level}`, { parentId, ...(level === 1 ? { roles: ['owner'] } : {}) })).id;
    expect(await decide('deep', 'members:read', org)).toBe(false);
    expect((await as('owner')('POST', `/v1/orgs/${org}/teams/${parentId}/members`, { userId: u.deep!.id })).status).toBe(201);
    // members:read is a viewer permission: 9 links away from the user.
    expect(await decide('deep', 'members:read', org)).toBe(true);
    expect(await decide('deep', 'organizations:delete', org)).toBe(true);
  });

  it('renames, re-describes and re-roles a team; the links follow', async () => {
    const res = await as('owner')('PATCH', `/v1/orgs/${org}/teams/${teams.Side}`, { name: 'Sidecar', description: null, roles: ['member'] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'Sidecar', roles: ['member'] });
    const taken = await as('owner')('PATCH', `/v1/orgs/${org}/teams/${teams.Side}`, { name: 'ENGINEERING' });
    expect([taken.status, taken.body.error.code]).toEqual([409, 'TEAM_NAME_TAKEN']);
    expect((await as('owner')('PATCH', `/v1/orgs/${org}/teams/${teams.Side}`, { roles: ['viewer'] })).status).toBe(200);
    const roles = await db.query(`select v1 from authz_rules where ptype = 'g' and v0 = $1`, [`team:${teams.Side}`]);
    expect(roles.rows.map((r) => r.v1)).toEqual(['role:viewer']);
    const unknown = await as('owner')('PATCH', `/v1/orgs/${org}/teams/${teams.Side}`, { roles: ['viewer', 'wizard'] });
    expect([unknown.status, unknown.body.error.code, unknown.body.error.fields[0].path]).toEqual([404, 'ROLE_NOT_FOUND', 'roles.1']);
  });

  it('nobody grants through a team what they do not hold', async () => {
    const owners = await as('lead')('POST', `/v1/orgs/${org}/teams`, { name: 'Owners', roles: ['owner'] });
    expect([owners.status, owners.body.error.code]).toEqual([403, 'PERMISSION_NOT_HELD']);
    await createTeam('Owners', { roles: ['owner'] });
    await createTeam('Owner helpers', { parentId: teams.Owners });
    const join = await as('lead')('POST', `/v1/orgs/${org}/teams/${teams['Owner helpers']}/members`, { userId: u.dev!.id });
    expect([join.status, join.body.error.code]).toEqual([403, 'PERMISSION_NOT_HELD']);
    const move = await as('lead')('PATCH', `/v1/orgs/${org}/teams/${teams.Side}`, { parentId: teams.Owners });
    expect([move.status, move.body.error.code]).toEqual([403, 'PERMISSION_NOT_HELD']);
    // An admin still manages teams within their own reach.
    expect((await as('lead')('POST', `/v1/orgs/${org}/teams/${teams.Platform}/members`, { userId: u.dev!.id })).status).toBe(201);
  });

  it('team members: list with pagination and search, refuse outsiders and duplicates, remove', async () => {
    expect((await as('owner')('POST', `/v1/orgs/${org}/teams/${teams.Platform}/members`, { userId: u.lead!.id })).status).toBe(201);
    const page = await as('dev')('GET', `/v1/orgs/${org}/teams/${teams.Platform}/members?limit=1`);
    expect(page.status).toBe(200);
    expect(page.body.items.map((m: { userId: string }) => m.userId)).toEqual([u.lead!.id]);
    const next = await as('dev')('GET', `/v1/orgs/${org}/teams/${teams.Platform}/members?limit=1&cursor=${page.body.nextCursor}`);
    expect(next.body.items.map((m: { userId: string }) => m.userId)).toEqual([u.dev!.id]);
    expect((await as('dev')('GET', `/v1/orgs/${org}/teams/${teams.Platform}/members?search=lead@`)).body.items).toHaveLength(1);
    const outsider = await as('owner')('POST', `/v1/orgs/${org}/teams/${teams.Platform}/members`, { userId: u.outsider!.id });
    expect([outsider.status, outsider.body.error.code]).toEqual([409, 'NOT_AN_ORGANIZATION_MEMBER']);
    const twice = await as('owner')('POST', `/v1/orgs/${org}/teams/${teams.Platform}/members`, { userId: u.lead!.id });
    expect([twice.status, twice.body.error.code]).toEqual([409, 'ALREADY_TEAM_MEMBER']);
    const removed = await as('owner')('DELETE', `/v1/orgs/${org}/teams/${teams.Platform}/members/${u.dev!.id}`);
    expect(removed.status).toBe(200);
    expect((await db.query(`select count(*)::int as n from authz_rules where v0 = $1 and v1 = $2`, [`user:${u.dev!.id}`, `team:${teams.Platform}`])).rows[0].n).toBe(0);
    expect((await db.query(`select count(*)::int as n from audit_events where action = 'team.member.removed' and target_id = $1`, [u.dev!.id])).rows[0].n).toBe(1);
    const again = await as('owner')('DELETE', `/v1/orgs/${org}/teams/${teams.Platform}/members/${u.dev!.id}`);
    expect([again.status, again.body.error.code]).toEqual([404, 'TEAM_MEMBER_NOT_FOUND']);
  });

  it('adding a member straight into teams (the path invitations use)', async () => {
    const added = await as('owner')('POST', `/v1/orgs/${org}/members`, { userId: u.outsider!.id, role: 'viewer', teamIds: [teams.Engineering] });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(await decide('outsider', 'members:write', org)).toBe(true);
    const wrong = await as('owner')('POST', `/v1/orgs/${other}/members`, { userId: u.dev!.id, teamIds: [teams.Engineering] });
    expect(wrong.status).toBe(404); // owner is not in the other organization
    const foreignTeam = await as('outsider')('POST', `/v1/orgs/${other}/members`, { userId: u.dev!.id, teamIds: [teams.Engineering] });
    expect([foreignTeam.status, foreignTeam.body.error.code, foreignTeam.body.error.fields[0].path]).toEqual([404, 'TEAM_NOT_FOUND', 'teamIds.0']);
    expect((await db.query('select count(*)::int as n from organization_members where organization_id = $1 and user_id = $2', [other, u.dev!.id])).rows[0].n).toBe(0);
  });

  it("another organization's teams are not found through this one", async () => {
    const theirs = (await as('outsider')('POST', `/v1/orgs/${other}/teams`, { name: 'Theirs' })).body.id;
    for (const [method, path, body] of [
      ['GET', `/v1/orgs/${org}/teams/${theirs}`],
      ['PATCH', `/v1/orgs/${org}/teams/${theirs}`, { name: 'x' }],
      ['DELETE', `/v1/orgs/${org}/teams/${theirs}`],
      ['GET', `/v1/orgs/${org}/teams/${theirs}/members`],
      ['POST', `/v1/orgs/${org}/teams/${theirs}/members`, { userId: u.dev!.id }],
    ] as const) {
      const res = await as('owner')(method, path, body);
      expect([res.status, res.body.error.code], `${method} ${path}`).toEqual([404, 'TEAM_NOT_FOUND']);
    }
    // Moving one of ours under theirs.
    const move = await as('owner')('PATCH', `/v1/orgs/${org}/teams/${teams.Infra}`, { parentId: theirs });
    expect([move.status, move.body.error.code]).toEqual([404, 'TEAM_NOT_FOUND']);
  });

  it('lists and gets teams', async () => {
    const all = await as('dev')('GET', `/v1/orgs/${org}/teams?limit=100`);
    expect(all.status).toBe(200);
    expect(all.body.items.map((t: { name: string }) => t.name)).toEqual(expect.arrayContaining(['Engineering', 'Platform', 'Infra', 'Sidecar']));
    const subs = await as('dev')('GET', `/v1/orgs/${org}/teams?parentId=${teams.Engineering}`);
    expect(subs.body.items.map((t: { name: string }) => t.name)).toEqual(['Platform']);
    const platform = await as('dev')('GET', `/v1/orgs/${org}/teams/${teams.Platform}`);
    expect(platform.body).toMatchObject({ name: 'Platform', parentId: teams.Engineering, memberCount: 1 });
    expect((await as('dev')('GET', `/v1/orgs/${org}/teams?limit=2`)).body.nextCursor).toBeTruthy();
  });

  it('deleting a team moves its sub-teams up to its parent, and its members lose what it gave', async () => {
    const res = await as('owner')('DELETE', `/v1/orgs/${org}/teams/${teams.Platform}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect((await db.query('select parent_id from teams where id = $1', [teams.Infra])).rows[0].parent_id).toBe(teams.Engineering);
    // junior (in Infra) still inherits Engineering's admin through the new parent link.
    expect(await decide('junior', 'members:write', org)).toBe(true);
    expect((await db.query(`select count(*)::int as n from authz_rules where v0 = $1 or v1 = $1`, [`team:${teams.Platform}`])).rows[0].n).toBe(0);
    const event = await db.query(`select data from audit_events where action = 'team.deleted' and target_id = $1`, [teams.Platform]);
    expect(event.rows[0].data.movedTeamIds).toEqual([teams.Infra]);
    expect((await as('owner')('GET', `/v1/orgs/${org}/teams/${teams.Platform}`)).status).toBe(404);
  });

  it('tRPC: createTeam, getTeam, updateTeam, listTeams, team members, deleteTeam', async () => {
    const trpc = api.trpc({ token: u.owner!.token, tenant: T });
    const team = await trpc.orgs.createTeam.mutate({ orgId: org, name: 'RPC team', roles: ['viewer'] });
    expect((await trpc.orgs.getTeam.query({ orgId: org, teamId: team.id })).roles).toEqual(['viewer']);
    expect((await trpc.orgs.updateTeam.mutate({ orgId: org, teamId: team.id, parentId: teams.Engineering })).parentId).toBe(teams.Engineering);
    expect((await trpc.orgs.listTeams.query({ orgId: org, parentId: teams.Engineering })).items.map((t) => t.id)).toContain(team.id);
    await trpc.orgs.addTeamMember.mutate({ orgId: org, teamId: team.id, userId: u.dev!.id });
    expect((await trpc.orgs.listTeamMembers.query({ orgId: org, teamId: team.id })).items.map((m) => m.userId)).toEqual([u.dev!.id]);
    await trpc.orgs.removeTeamMember.mutate({ orgId: org, teamId: team.id, userId: u.dev!.id });
    await expect(trpc.orgs.updateTeam.mutate({ orgId: org, teamId: teams.Engineering, parentId: team.id })).rejects.toMatchObject({ data: { code: 'TEAM_CYCLE', httpStatus: 409 } });
    expect((await trpc.orgs.deleteTeam.mutate({ orgId: org, teamId: team.id })).id).toBe(team.id);
  });
});
