import { beforeAll, describe, expect, it } from 'vitest';
import { signedInUser, startTestApi, type TestApi } from '../src';
import { auditOf } from './passkeys.support';
import { Browser, socialFlow, startProvider } from './social.support';

/**
 * Provisioning into an organization by verified domain, over real HTTP with oauth2-mock-server as
 * the identity provider: an organization claims a domain (unverified: nothing happens), a tenant
 * owner asserts it verified (no DNS check here — the org's own owner cannot), and from then on a
 * new person whose address at that domain the provider vouches for joins with the domain's role.
 */
const T = 'socialorgs';
let api: TestApi;
let oidc: Awaited<ReturnType<typeof startProvider>>;
let seq = 0;
const unique = (what: string) => `${what}-${Date.now().toString(36)}-${(seq++).toString(36)}`;

const nextClaims = (claims: Record<string, unknown>) => {
  for (const key of Object.keys(oidc.claims)) delete oidc.claims[key];
  Object.assign(oidc.claims, { sub: unique('sub') }, claims);
};

/** A new person through the provider; the user id of the session it got. */
async function provisioned(email: string, verified = true): Promise<string | null> {
  nextClaims({ email, email_verified: verified });
  const browser = new Browser();
  await socialFlow(browser, api.url, T, 'okta');
  const me = await browser.get(`${api.url}/t/${T}/session`);
  return me.status === 200 ? (JSON.parse(me.body) as { user: { id: string } }).user.id : null;
}

async function membersOf(orgId: string) {
  const res = await api.rest('GET', `/v1/orgs/${orgId}/members?limit=100`, { tenant: T });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items as { userId: string; role: string; via: string }[];
}

let orgOwner: Awaited<ReturnType<typeof signedInUser>>;
let orgId: string;
let domainId: string;
const domain = `acme-${Date.now().toString(36)}.test`;

beforeAll(async () => {
  api = await startTestApi({ AUTH_SOCIAL_ALLOWED_HOSTS: '127.0.0.1', AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000' });
  expect((await api.rest('POST', '/v1/tenants', { body: { slug: T, name: 'Social Orgs' } })).status).toBe(201);
  oidc = await startProvider();
  const created = await api.rest('POST', '/v1/connections', { tenant: T, body: { slug: 'okta', provider: 'oidc', issuer: oidc.url, clientId: 'orgs-client', clientSecret: 'orgs-secret' } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  orgOwner = await signedInUser(api, { email: `${unique('owner')}@${domain}`, tenant: T });
  const org = await api.rest('POST', '/v1/orgs', { token: orgOwner.token, tenant: T, body: { name: 'Acme' } });
  expect(org.status, JSON.stringify(org.body)).toBe(201);
  orgId = org.body.id;
}, 120_000);

describe('organization domains', () => {
  it("the organization's owner claims a domain with auto-join; bad input names its field", async () => {
    const bad = await api.rest('POST', `/v1/orgs/${orgId}/domains`, { token: orgOwner.token, tenant: T, body: { domain: 'not a domain' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0].path).toBe('domain');
    const noRole = await api.rest('POST', `/v1/orgs/${orgId}/domains`, { token: orgOwner.token, tenant: T, body: { domain: `x.${domain}`, autoJoin: true, role: 'no-such-role' } });
    expect(noRole.status).toBe(404);
    expect(noRole.body.error.fields[0].path).toBe('role');
    const added = await api.rest('POST', `/v1/orgs/${orgId}/domains`, { token: orgOwner.token, tenant: T, body: { domain: domain.toUpperCase(), autoJoin: true, role: 'member' } });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(added.body).toMatchObject({ domain, verified: false, verifiedAt: null, autoJoin: true, role: 'member' });
    domainId = added.body.id;
    const again = await api.rest('POST', `/v1/orgs/${orgId}/domains`, { token: orgOwner.token, tenant: T, body: { domain } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('DOMAIN_TAKEN');
  });

  it('an unverified domain provisions nobody; its own owner cannot verify it', async () => {
    const userId = await provisioned(`${unique('early')}@${domain}`);
    expect(userId).toBeTruthy();
    expect((await membersOf(orgId)).some((m) => m.userId === userId)).toBe(false);
    const selfVerify = await api.rest('POST', `/v1/orgs/${orgId}/domains/${domainId}/verify`, { token: orgOwner.token, tenant: T });
    expect(selfVerify.status).toBe(403);
    expect((await api.rest('GET', `/v1/orgs/${orgId}/domains`, { token: orgOwner.token, tenant: T })).body.items[0].verified).toBe(false);
  });

  it('once a tenant owner verifies it, a new person vouched for at the domain joins with its role', async () => {
    const verified = await api.rest('POST', `/v1/orgs/${orgId}/domains/${domainId}/verify`, { tenant: T });
    expect(verified.status, JSON.stringify(verified.body)).toBe(200);
    expect(verified.body.verified).toBe(true);
    const userId = await provisioned(`${unique('joiner')}@${domain}`);
    const member = (await membersOf(orgId)).find((m) => m.userId === userId);
    expect(member).toMatchObject({ role: 'member', via: 'verified_domain' });
    const added = await auditOf(api, T, 'organization.member.added');
    expect(added.find((e) => e.target?.id === userId)?.data).toMatchObject({ organizationId: orgId, via: 'verified_domain', role: 'member' });
  });

  it('nobody else joins: another domain, a subdomain, an existing account, or auto-join turned off', async () => {
    const before = (await membersOf(orgId)).length;
    await provisioned(`${unique('other')}@elsewhere-${domain}`);
    await provisioned(`${unique('sub')}@eu.${domain}`);
    // An existing account linked through a vouched address is not "provisioned".
    const existing = await signedInUser(api, { email: `${unique('existing')}@${domain}`, tenant: T });
    expect(await provisioned(existing.email)).toBe(existing.id);
    expect((await membersOf(orgId)).length).toBe(before);
    const off = await api.rest('PATCH', `/v1/orgs/${orgId}/domains/${domainId}`, { token: orgOwner.token, tenant: T, body: { autoJoin: false } });
    expect(off.body).toMatchObject({ autoJoin: false, verified: true });
    await provisioned(`${unique('late')}@${domain}`);
    expect((await membersOf(orgId)).length).toBe(before);
    expect((await api.rest('PATCH', `/v1/orgs/${orgId}/domains/${domainId}`, { token: orgOwner.token, tenant: T, body: { autoJoin: true } })).status).toBe(200);
  });

  it('a domain verified for one organization cannot be verified for another; an outsider cannot claim one; removal keeps members', async () => {
    const rival = await api.rest('POST', '/v1/orgs', { token: orgOwner.token, tenant: T, body: { name: 'Rival' } });
    const claim = await api.rest('POST', `/v1/orgs/${rival.body.id}/domains`, { token: orgOwner.token, tenant: T, body: { domain } });
    expect(claim.status).toBe(201);
    const verify = await api.rest('POST', `/v1/orgs/${rival.body.id}/domains/${claim.body.id}/verify`, { tenant: T });
    expect(verify.status).toBe(409);
    expect(verify.body.error.code).toBe('DOMAIN_TAKEN');
    // Someone outside the organization cannot claim a domain for it (it is not even visible to them).
    const stranger = await signedInUser(api, { email: `${unique('stranger')}@people.test`, tenant: T });
    expect((await api.rest('POST', `/v1/orgs/${orgId}/domains`, { token: stranger.token, tenant: T, body: { domain: 'stranger.test' } })).status).toBe(404);
    // Removing the domain keeps the members it brought.
    const count = (await membersOf(orgId)).length;
    expect((await api.rest('DELETE', `/v1/orgs/${orgId}/domains/${domainId}`, { token: orgOwner.token, tenant: T })).body).toEqual({ deleted: true });
    expect((await membersOf(orgId)).length).toBe(count);
  });
});
