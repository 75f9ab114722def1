import { beforeAll, describe, expect, it } from 'vitest';
import { admitMember, changeMemberRole, addTeamMember, OrgsErrors } from '@plinto/orgs';
import { SYSTEM_ACTOR, type EntityManager } from '@plinto/kernel';
import { operatorContext } from '@plinto/kernel/testing';
import { engineOf } from '@plinto/authz';
import { signedInUser, sqlClient, startTestApi, type SignedInUser, type TestApi } from '../src';

/**
 * The membership row and its authorization link commit together, through the trusted path the
 * invitations module calls inside its own transaction (`admitMember`) and the services joining it: a rollback leaves no role behind (in the
 * database or in any process's engine), a commit is enforced at once here and within a second by
 * another api process, one transaction is one policy version, and concurrent adds of one user
 * make exactly one membership.
 */
let api1: TestApi;
let api2: TestApi;
let db: ReturnType<typeof sqlClient>;
const T = 'orgs-links';
let tenantId: string;
let owner: SignedInUser;
const users: SignedInUser[] = [];
let orgId: string;
let teamId: string;

const allowedOn = async (api: TestApi, userId: string, action = 'members:write') => {
  const res = await api.rest('POST', '/v1/policies/evaluate', { tenant: T, body: { subject: `user:${userId}`, action, resource: '*', context: { organizationId: orgId } } });
  expect(res.status).toBe(200);
  return res.body.result.allow as boolean;
};
const version = async () => Number((await db.query('select version from authz_tenant_state where tenant_id = $1', [tenantId])).rows[0].version);
const linkCount = async (userId: string) => (await db.query(`select count(*)::int as n from authz_rules where v0 = $1 and v2 = $2`, [`user:${userId}`, orgId])).rows[0].n as number;
/** The engine of api 1, and an operator's service context over `tx` (services join its transaction). */
const engine = () => engineOf(api1.server);
const inTx = (tx: EntityManager) =>
  operatorContext({ em: tx, config: api1.config, services: api1.server.services, tenant: { id: tenantId, slug: T, name: T, status: 'active', settings: {} } });
const memberCount = async (userId: string) => (await db.query('select count(*)::int as n from organization_members where organization_id = $1 and user_id = $2', [orgId, userId])).rows[0].n as number;

beforeAll(async () => {
  api1 = await startTestApi();
  api2 = await startTestApi({ DATABASE_URL: api1.config.DATABASE_URL, QUEUE_PREFIX: api1.config.QUEUE_PREFIX });
  db = sqlClient(api1.config.DATABASE_URL);
  tenantId = (await api1.rest('POST', '/v1/tenants', { body: { slug: T, name: T } })).body.id;
  owner = await signedInUser(api1, { email: 'owner@links.test', tenant: T });
  for (let i = 0; i < 4; i++) users.push(await signedInUser(api1, { email: `user${i}@links.test`, tenant: T }));
  orgId = (await api1.rest('POST', '/v1/orgs', { token: owner.token, tenant: T, body: { name: 'Links' } })).body.id;
  teamId = (await api1.rest('POST', `/v1/orgs/${orgId}/teams`, { token: owner.token, tenant: T, body: { name: 'Admins', roles: ['admin'] } })).body.id;
  // Both processes have the tenant's policy compiled (and this decision cached) before the changes.
  for (const api of [api1, api2]) expect(await allowedOn(api, users[0]!.id)).toBe(false);
});

describe('membership links are transactional', () => {
  it('a transaction that rolls back after addMember leaves no membership, no link, no version and no decision behind', async () => {
    const user = users[0]!;
    const before = await version();
    const em = api1.server.orm.em.fork();
    await expect(
      em.transactional(async (tx) => {
        await admitMember(tx, engine(), { tenantId, organizationId: orgId, userId: user.id, role: 'admin', teamIds: [teamId], actor: SYSTEM_ACTOR, via: 'invitation' });
        throw new Error('the invitation accept failed after the membership was written');
      }),
    ).rejects.toThrow('the invitation accept failed');
    expect(await memberCount(user.id)).toBe(0);
    expect(await linkCount(user.id)).toBe(0);
    expect(await version()).toBe(before);
    expect((await db.query(`select count(*)::int as n from audit_events where action = 'organization.member.added' and target_id = $1`, [user.id])).rows[0].n).toBe(0);
    for (const api of [api1, api2]) expect(await allowedOn(api, user.id)).toBe(false);
  });

  it("committed with the caller's other writes: one policy version, enforced here at once and by the other process within a second", async () => {
    const user = users[1]!;
    const before = await version();
    const em = api1.server.orm.em.fork();
    await em.transactional(async (tx) => {
      await admitMember(tx, engine(), { tenantId, organizationId: orgId, userId: user.id, role: 'viewer', actor: SYSTEM_ACTOR, via: 'invitation' });
      await changeMemberRole(inTx(tx), orgId, user.id, 'member');
      await addTeamMember(inTx(tx), orgId, teamId, user.id);
    });
    expect(await version()).toBe(before + 1);
    expect(await allowedOn(api1, user.id)).toBe(true);
    const start = Date.now();
    while (!(await allowedOn(api2, user.id))) {
      expect(Date.now() - start).toBeLessThan(1000);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const links = await db.query(`select v1 from authz_rules where v0 = $1 and v2 = $2 order by v1`, [`user:${user.id}`, orgId]);
    expect(links.rows.map((r) => r.v1)).toEqual(['role:member', `team:${teamId}`]);
    const member = await db.query('select role, via from organization_members where organization_id = $1 and user_id = $2', [orgId, user.id]);
    expect(member.rows).toEqual([{ role: 'member', via: 'invitation' }]);
  });

  it('refuses to stage links in a nested transaction (a savepoint could roll back alone)', async () => {
    const user = users[2]!;
    const em = api1.server.orm.em.fork();
    await expect(
      em.transactional(async (tx) => tx.transactional((inner) => admitMember(inner, engine(), { tenantId, organizationId: orgId, userId: user.id, role: 'viewer', actor: SYSTEM_ACTOR }))),
    ).rejects.toThrow(/outermost transaction/);
    expect(await memberCount(user.id)).toBe(0);
  });

  it('twenty concurrent adds of one user make exactly one membership and one link', async () => {
    const user = users[3]!;
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => admitMember(api1.server.orm.em.fork(), engine(), { tenantId, organizationId: orgId, userId: user.id, role: 'viewer', actor: SYSTEM_ACTOR })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect((r.reason as { appCode?: string }).appCode).toBe(OrgsErrors.ALREADY_MEMBER().appCode);
    expect(await memberCount(user.id)).toBe(1);
    expect(await linkCount(user.id)).toBe(1);
    expect(await allowedOn(api1, user.id, 'members:read')).toBe(true);
  });
});
