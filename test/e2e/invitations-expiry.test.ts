import { beforeAll, describe, expect, it } from 'vitest';
import { maintenanceTasks } from '@plinto/workers';
import { signedInUser, startTestApi, startTestWorkers, waitFor, type SignedInUser, type TestApi } from '../src';
import { as, createOrg, invitationRow, sql, provisioner } from './invitations-support';

/**
 * Expiry: a pending invitation past its `expires_at` reads as expired at once, and is marked
 * `expired` (with an audit event) by `POST /v1/invitations/cleanup` on demand and by the scheduled
 * maintenance job in the workers (run here every 200 ms instead of every 5 minutes).
 */
let api: TestApi;
let owner: SignedInUser;
let org: { id: string };
const T = 'expiry';

const backdate = (id: string) => sql(api, `update invitations set expires_at = now() - interval '1 minute' where id = $1`, [id]);

beforeAll(async () => {
  api = await startTestApi();
  expect((await api.rest('POST', '/v1/tenants', { body: { slug: T, name: 'Expiry' } })).status).toBe(201);
  owner = await signedInUser(api, { email: 'owner@expiry.test', tenant: T });
  org = await createOrg(api, owner.token, { slug: 'org', name: 'Org' });
});

describe('expiry', () => {
  it('cleanup marks expired invitations on demand; the address can be invited again', async () => {
    const rest = as(api, owner.token);
    const created = await provisioner(api, T)('POST', '/v1/invitations', { organizationId: org.id, email: 'late@expiry.test' });
    await backdate(created.body.id);
    expect((await rest('GET', `/v1/invitations/${created.body.id}`)).body.status).toBe('expired');
    expect((await invitationRow(api, created.body.id)).status).toBe('pending');
    expect((await as(api, null, T)('GET', `/v1/invitation-tokens/${created.body.token}`)).body.error.code).toBe('INVITATION_INVALID');

    const cleaned = await rest('POST', '/v1/invitations/cleanup', { organizationId: org.id });
    expect(cleaned.status, JSON.stringify(cleaned.body)).toBe(200);
    expect(cleaned.body).toEqual({ expired: 1 });
    expect((await invitationRow(api, created.body.id)).status).toBe('expired');
    const [event] = await sql(api, `select actor_type, actor_id, organization_id from audit_events where action = 'invitation.expired' and target_id = $1`, [created.body.id]);
    expect(event).toEqual({ actor_type: 'user', actor_id: owner.id, organization_id: org.id });
    expect((await rest('POST', '/v1/invitations/cleanup', { organizationId: org.id })).body).toEqual({ expired: 0 });
    expect((await rest('POST', '/v1/invitations', { organizationId: org.id, email: 'late@expiry.test' })).status).toBe(201);
  });

  it('the scheduled maintenance job marks an expired invitation', async () => {
    const task = maintenanceTasks.find((t) => t.name === 'invitations.expire');
    expect(task, 'the invitations.expire maintenance task is registered').toBeDefined();
    const created = await provisioner(api, T)('POST', '/v1/invitations', { organizationId: org.id, email: 'sleepy@expiry.test' });
    const fresh = await as(api, owner.token)('POST', '/v1/invitations', { organizationId: org.id, email: 'fresh@expiry.test' });
    await backdate(created.body.id);
    await startTestWorkers(api.config, { tasks: [{ ...task!, everyMs: 200 }] });
    await waitFor(async () => (await invitationRow(api, created.body.id)).status === 'expired', 'the expiry job to mark the invitation', 15_000);
    const [event] = await sql(api, `select actor_type from audit_events where action = 'invitation.expired' and target_id = $1`, [created.body.id]);
    expect(event).toEqual({ actor_type: 'system' });
    expect((await invitationRow(api, fresh.body.id)).status).toBe('pending');
    expect((await as(api, null, T)('POST', '/v1/invitations/accept', { token: created.body.token, password: 'a perfectly fine passphrase' })).body.error.code).toBe('INVITATION_INVALID');
  });
});
