import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { TRPCClientError } from '@trpc/client';
import { signIn, signedInUser, startTestApi, startTestWorkers, waitFor, type SignedInUser, type TestApi } from '../src';
import { extractLink, startSmtpSink } from '../src/smtp-sink';
import { actionsFor, addMember, as, createOrg, invitationRow, members, sql, tokenOf } from './invitations-support';

/**
 * Invitations end to end over REST and tRPC: the real api, the real workers, and a real SMTP
 * server receiving the emails. Every link a test follows is read from a received email.
 */
let api: TestApi;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let owner: SignedInUser;
let org: { id: string; name: string };
let rest: ReturnType<typeof as>;
let anon: ReturnType<typeof as>;
const T = 'acme';
const APP = 'https://app.acme.test';
const PASSWORD = 'a perfectly fine passphrase';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

async function trpcError(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCClientError);
  return (error as TRPCClientError<any>).data as { code: string; httpStatus: number; fields?: { path: string }[] };
}

/** Creates an invitation as the owner and returns it with the token read from the email it produced. */
async function inviteAndReadEmail(email: string, body: Record<string, unknown> = {}) {
  const res = await rest('POST', '/v1/invitations', { organizationId: org.id, email, ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const mail = await smtp.waitForEmail(email.toLowerCase(), /invited you to join/);
  smtp.take(email.toLowerCase());
  return { invitation: res.body, mail, token: tokenOf(extractLink(mail)) };
}

beforeAll(async () => {
  smtp = await startSmtpSink();
  api = await startTestApi({ EMAIL_PROVIDER: 'smtp', SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), SMTP_FROM_EMAIL: 'team@acme.test', AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000' });
  await startTestWorkers(api.config);
  expect((await api.rest('POST', '/v1/tenants', { body: { slug: T, name: 'Acme', settings: { appUrl: APP, emailSenderName: 'Acme App' } } })).status).toBe(201);
  owner = await signedInUser(api, { email: 'owner@acme.test', tenant: T, displayName: 'Olivia Owner' });
  org = await createOrg(api, owner.token, { slug: 'rockets', name: 'Rocket Team' });
  rest = as(api, owner.token);
  anon = as(api, null, T);
});

describe('a new user', () => {
  it('is invited by email, sees the invitation, and accepts through the emailed link (account created, verified, member)', async () => {
    const res = await rest('POST', '/v1/invitations', { organizationId: org.id, email: ' New.Person@Example.COM ', role: 'member', message: 'Welcome aboard!' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ organizationId: org.id, email: 'new.person@example.com', role: 'member', status: 'pending', sendCount: 1, message: 'Welcome aboard!' });
    expect(res.body.invitedBy).toEqual({ type: 'user', id: owner.id, name: 'Olivia Owner' });
    const expiresIn = Date.parse(res.body.expiresAt) - Date.now();
    expect(expiresIn).toBeGreaterThan(7 * 86_400_000 - 60_000);
    expect(expiresIn).toBeLessThanOrEqual(7 * 86_400_000);
    // The link goes to the mailbox only: an organization owner cannot vouch for addresses
    // (users:provision), and accepting the link is what proves the invitee's mailbox.
    expect(res.body).toMatchObject({ link: null, token: null });
    expect((await rest('GET', `/v1/invitations/${res.body.id}`)).body).not.toHaveProperty('token');

    const mail = await smtp.waitForEmail('new.person@example.com', /Olivia Owner invited you to join Rocket Team on Acme App/);
    expect(mail.from).toBe('team@acme.test');
    expect(mail.body).toContain('Welcome aboard!');
    expect(mail.body).toContain('as member');
    expect(mail.body).toContain('7 days');
    const link = extractLink(mail);
    expect(`${link.origin}${link.pathname}`).toBe(`${APP}/accept-invitation`);
    const token = tokenOf(link);
    // Only the token's hash is stored.
    const row = await invitationRow(api, res.body.id);
    expect(row.token_hash).toBe(sha256(token));
    expect(JSON.stringify(row)).not.toContain(token);
    // Once handed to SMTP, the link is scrubbed from the outbox row.
    await waitFor(async () => (await sql(api, `select count(*)::int as n from outbox where job_name = 'invitation' and payload ? 'link' and payload->>'to' = 'new.person@example.com'`))[0].n === 0, 'the link scrubbed');

    const preview = await anon('GET', `/v1/invitation-tokens/${token}`);
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ valid: true, email: 'new.person@example.com', organization: { id: org.id, name: 'Rocket Team', slug: 'rockets' }, inviter: { name: 'Olivia Owner' }, role: 'member', expiresAt: res.body.expiresAt });

    const noPassword = await anon('POST', '/v1/invitations/accept', { token });
    expect(noPassword.status).toBe(400);
    expect(noPassword.body.error).toMatchObject({ code: 'INVITATION_PASSWORD_REQUIRED', fields: [{ path: 'password' }] });
    const weak = await anon('POST', '/v1/invitations/accept', { token, password: 'short' });
    expect(weak.status).toBe(400);
    expect(weak.body.error.code).toBe('PASSWORD_TOO_SHORT');

    const accepted = await anon('POST', '/v1/invitations/accept', { token, password: PASSWORD, name: 'Nina New' });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body).toMatchObject({
      invitation: { id: res.body.id, status: 'accepted' },
      user: { email: 'new.person@example.com', created: true },
      membership: { organizationId: org.id, role: 'member', teamIds: [] },
    });
    const userId = accepted.body.user.id;
    // The new account is signed in at once, with OAuth's field names.
    expect(accepted.body).toMatchObject({ token_type: 'Bearer', expires_in: 600, refresh_token: expect.stringMatching(/^plr_/), session_id: expect.any(String) });
    const me = await api.rest('GET', '/v1/me', { token: accepted.body.access_token });
    expect(me.body).toMatchObject({ kind: 'user', id: userId, session: { id: accepted.body.session_id } });
    const [user] = await sql(api, 'select * from users where id = $1', [userId]);
    expect(user).toMatchObject({ email: 'new.person@example.com', display_name: 'Nina New' });
    expect(user.email_verified_at).not.toBeNull();
    expect(await members(api, org.id)).toContainEqual({ user_id: userId, role: 'member', via: 'invitation' });
    expect(await invitationRow(api, res.body.id)).toMatchObject({ status: 'accepted', accepted_user_id: userId });
    // The new account signs in with the password it chose.
    expect((await signIn(api, { email: 'new.person@example.com', password: PASSWORD, tenant: T })).id).toBe(userId);

    // Used: the link is dead, and says nothing more than "invalid".
    for (const again of [await anon('POST', '/v1/invitations/accept', { token, password: PASSWORD }), await anon('GET', `/v1/invitation-tokens/${token}`)]) {
      expect(again.status).toBe(404);
      expect(again.body.error.code).toBe('INVITATION_INVALID');
    }
    expect(await actionsFor(api, res.body.id)).toEqual(['invitation.created', 'invitation.accepted']);
    expect(await actionsFor(api, userId)).toEqual(expect.arrayContaining(['user.created', 'organization.member.added']));
  });

  it('validate answers the same for an unknown, a malformed-but-long, a revoked and an expired token', async () => {
    const revoked = await inviteAndReadEmail('revoked@example.com');
    expect((await rest('DELETE', `/v1/invitations/${revoked.invitation.id}`)).status).toBe(200);
    const expired = await inviteAndReadEmail('expired@example.com');
    await sql(api, `update invitations set expires_at = now() - interval '1 minute' where id = $1`, [expired.invitation.id]);
    const answers = await Promise.all(
      [revoked.token, expired.token, 'x'.repeat(43), revoked.invitation.id].map((t) => anon('GET', `/v1/invitation-tokens/${t}`)),
    );
    for (const a of answers) {
      expect(a.status).toBe(404);
      expect(a.body.error).toMatchObject({ code: 'INVITATION_INVALID', message: answers[0]!.body.error.message });
      expect(Object.keys(a.body.error).sort()).toEqual(['code', 'message', 'requestId']);
    }
  });
});

describe('an existing user', () => {
  it('accepts signed in with the invited email; another account and an anonymous accept are refused', async () => {
    const bob = await signedInUser(api, { email: 'bob@example.com', tenant: T });
    const carol = await signedInUser(api, { email: 'carol@example.com', tenant: T });
    const { invitation, token } = await inviteAndReadEmail('Bob@Example.com', { role: 'viewer' });

    const anonymous = await anon('POST', '/v1/invitations/accept', { token, password: PASSWORD });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('INVITATION_SIGN_IN_REQUIRED');
    const wrongUser = await as(api, carol.token)('POST', '/v1/invitations/accept', { token });
    expect(wrongUser.status).toBe(403);
    expect(wrongUser.body.error.code).toBe('INVITATION_EMAIL_MISMATCH');
    expect((await invitationRow(api, invitation.id)).status).toBe('pending');

    const accepted = await as(api, bob.token)('POST', '/v1/invitations/accept', { token });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body).toMatchObject({ user: { id: bob.id, created: false }, membership: { role: 'viewer' } });
    // An existing user keeps the session they accepted with: no new tokens.
    expect(accepted.body.access_token).toBeUndefined();
    expect(await members(api, org.id)).toContainEqual({ user_id: bob.id, role: 'viewer', via: 'invitation' });
    expect((await sql(api, `select count(*)::int as n from users where email = 'bob@example.com'`))[0].n).toBe(1);

    const again = await rest('POST', '/v1/invitations', { organizationId: org.id, email: 'bob@example.com' });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'INVITATION_ALREADY_MEMBER', fields: [{ path: 'email' }] });
  });

  it('joins the teams the invitation names', async () => {
    const team = await rest('POST', `/v1/orgs/${org.id}/teams`, { name: 'Launch' });
    expect(team.status, JSON.stringify(team.body)).toBe(201);
    const unknownTeam = await rest('POST', '/v1/invitations', { organizationId: org.id, email: 'dana@example.com', teams: [team.body.id, '0190cccc-0000-7000-8000-000000000000'] });
    expect(unknownTeam.status).toBe(404);
    expect(unknownTeam.body.error).toMatchObject({ code: 'TEAM_NOT_FOUND', fields: [{ path: 'teams.1' }] });
    const dana = await signedInUser(api, { email: 'dana@example.com', tenant: T });
    const { token } = await inviteAndReadEmail('dana@example.com', { teams: [team.body.id] });
    const accepted = await as(api, dana.token)('POST', '/v1/invitations/accept', { token });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body.membership.teamIds).toEqual([team.body.id]);
    expect(await sql(api, 'select team_id from team_members where user_id = $1', [dana.id])).toEqual([{ team_id: team.body.id }]);
  });
});

describe('managing invitations', () => {
  it('refuses a second pending invitation; updates, resends (old link dead) and revokes while pending', async () => {
    const { invitation, token: first } = await inviteAndReadEmail('dave@example.com');
    const duplicate = await rest('POST', '/v1/invitations', { organizationId: org.id, email: 'DAVE@example.com' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error).toMatchObject({ code: 'INVITATION_ALREADY_PENDING', fields: [{ path: 'email' }] });

    const updated = await rest('PATCH', `/v1/invitations/${invitation.id}`, { role: 'viewer', expiresInDays: 2 });
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    expect(updated.body.role).toBe('viewer');
    expect(Math.abs(Date.parse(updated.body.expiresAt) - (Date.now() + 2 * 86_400_000))).toBeLessThan(60_000);
    const unknownRole = await rest('PATCH', `/v1/invitations/${invitation.id}`, { role: 'no-such-role' });
    expect(unknownRole.status).toBe(400);
    expect(unknownRole.body.error.fields[0].path).toBe('role');

    const resent = await rest('POST', `/v1/invitations/${invitation.id}/resend`, {});
    expect(resent.status, JSON.stringify(resent.body)).toBe(200);
    expect(resent.body).toMatchObject({ id: invitation.id, sendCount: 2, role: 'viewer' });
    const mail = await smtp.waitForEmail('dave@example.com', /invited you/);
    const second = tokenOf(extractLink(mail));
    expect(resent.body.token).toBeNull();
    expect(second).not.toBe(first);
    expect((await anon('GET', `/v1/invitation-tokens/${first}`)).body.error.code).toBe('INVITATION_INVALID');
    expect((await anon('GET', `/v1/invitation-tokens/${second}`)).body).toMatchObject({ valid: true, role: 'viewer' });

    const revoked = await rest('DELETE', `/v1/invitations/${invitation.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ status: 'revoked', revokedAt: expect.any(String) });
    for (const [method, path, body] of [
      ['DELETE', `/v1/invitations/${invitation.id}`, undefined],
      ['PATCH', `/v1/invitations/${invitation.id}`, { role: 'member' }],
      ['POST', `/v1/invitations/${invitation.id}/resend`, {}],
    ] as const) {
      const res = await rest(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(409);
      expect(res.body.error.code).toBe('INVITATION_NOT_PENDING');
    }
    expect((await anon('POST', '/v1/invitations/accept', { token: second, password: PASSWORD })).body.error.code).toBe('INVITATION_INVALID');
    // Revoking freed the address: it can be invited again.
    expect((await rest('POST', '/v1/invitations', { organizationId: org.id, email: 'dave@example.com' })).status).toBe(201);
    expect(await actionsFor(api, invitation.id)).toEqual(['invitation.created', 'invitation.updated', 'invitation.resent', 'invitation.revoked']);
    const [outbox] = await sql(api, `select count(*)::int as n from outbox where queue = 'events' and payload->'target'->>'id' = $1`, [invitation.id]);
    expect(outbox.n).toBe(4);
  });

  it('lists newest first with filters and cursor pagination, and gets one', async () => {
    for (const email of ['list1@example.com', 'list2@example.com', 'list3@example.com']) {
      expect((await rest('POST', '/v1/invitations', { organizationId: org.id, email })).status).toBe(201);
    }
    const page1 = await rest('GET', `/v1/invitations?organizationId=${org.id}&status=pending&limit=2`);
    expect(page1.status).toBe(200);
    expect(page1.body.items.map((i: { email: string }) => i.email)).toEqual(['list3@example.com', 'list2@example.com']);
    const page2 = await rest('GET', `/v1/invitations?organizationId=${org.id}&status=pending&limit=2&cursor=${page1.body.nextCursor}`);
    expect(page2.body.items[0].email).toBe('list1@example.com');
    const all: { status: string }[] = (await rest('GET', `/v1/invitations?organizationId=${org.id}&limit=100`)).body.items;
    expect(new Set(all.map((i) => i.status))).toEqual(new Set(['pending', 'accepted', 'revoked', 'expired']));
    const revoked: { status: string }[] = (await rest('GET', `/v1/invitations?organizationId=${org.id}&status=revoked`)).body.items;
    expect(revoked.length).toBeGreaterThan(0);
    expect(revoked.every((i) => i.status === 'revoked')).toBe(true);
    // A pending row past its expiry is listed as expired, before the sweep marks it.
    expect((await rest('GET', `/v1/invitations?organizationId=${org.id}&status=expired`)).body.items.map((i: { email: string }) => i.email)).toContain('expired@example.com');
    // The owner manages this organization, not the tenant: listing needs the organization named.
    expect((await rest('GET', '/v1/invitations?email=list2@example.com')).status).toBe(403);
    const byEmail = await rest('GET', `/v1/invitations?organizationId=${org.id}&email=LIST2@example.com`);
    expect(byEmail.body.items).toHaveLength(1);
    const one = await rest('GET', `/v1/invitations/${byEmail.body.items[0].id}`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual(byEmail.body.items[0]);
    expect((await rest('GET', '/v1/invitations/0190cccc-0000-7000-8000-000000000000')).body.error.code).toBe('INVITATION_NOT_FOUND');
  });
});

describe('bulk invitations', () => {
  it('gives a result per row and emails each created invitation once', async () => {
    const existing = await signedInUser(api, { email: 'erin@example.com', tenant: T });
    await addMember(api, owner.token, org.id, existing.id, 'member');
    expect((await rest('POST', '/v1/invitations', { organizationId: org.id, email: 'pending@example.com' })).status).toBe(201);
    const res = await rest('POST', '/v1/invitations/bulk', {
      organizationId: org.id,
      role: 'viewer',
      message: 'Join us',
      invitations: [
        { email: 'b1@example.com' },
        { email: 'not-an-email' },
        { email: 'B1@example.com' },
        { email: 'erin@example.com' },
        { email: 'pending@example.com' },
        { email: 'b2@example.com', role: 'member' },
        { email: 'b3@example.com' },
      ],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.created).toBe(3);
    expect(res.body.skipped).toBe(4);
    expect(res.body.results.map((r: { index: number; status: string; reason?: string }) => [r.index, r.status, r.reason])).toEqual([
      [0, 'created', undefined],
      [1, 'invalid_email', undefined],
      [2, 'duplicate', 'in_request'],
      [3, 'already_member', undefined],
      [4, 'duplicate', 'pending_invitation'],
      [5, 'created', undefined],
      [6, 'created', undefined],
    ]);
    const created = res.body.results.filter((r: { status: string }) => r.status === 'created');
    const rows = await sql(api, 'select email, role, message from invitations where id = any($1::uuid[]) order by email', [created.map((r: { invitationId: string }) => r.invitationId)]);
    expect(rows).toEqual([
      { email: 'b1@example.com', role: 'viewer', message: 'Join us' },
      { email: 'b2@example.com', role: 'member', message: 'Join us' },
      { email: 'b3@example.com', role: 'viewer', message: 'Join us' },
    ]);
    for (const r of created) {
      const mail = await smtp.waitForEmail(r.email, /invited you/);
      expect(r.link).toBeUndefined();
      expect(sha256(tokenOf(extractLink(mail)))).toBe((await sql(api, 'select token_hash from invitations where id = $1', [r.invitationId]))[0].token_hash);
    }
    // Exactly one email can ever go to b1: one outbox row (one job, its id the row's), already
    // dispatched, and its job has delivered (above). No sleep: nothing else is left to arrive.
    const emails = await sql(api, `select dispatched_at from outbox where queue = 'email' and payload->>'to' = 'b1@example.com'`);
    expect(emails).toHaveLength(1);
    expect(emails[0].dispatched_at).not.toBeNull();
    expect(smtp.take('b1@example.com')).toHaveLength(1);
    for (const r of created) expect(await actionsFor(api, r.invitationId)).toEqual(['invitation.created']);
  });

  it('refuses more than 1,000 rows, and anything past the member limit (members + pending) — creating nothing', async () => {
    const tooMany = await rest('POST', '/v1/invitations/bulk', { organizationId: org.id, invitations: Array.from({ length: 1001 }, (_, i) => ({ email: `many${i}@example.com` })) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error).toMatchObject({ code: 'INVITATION_BULK_TOO_LARGE', fields: [{ path: 'invitations' }] });

    const limited = await createOrg(api, owner.token, { slug: 'tiny', name: 'Tiny', settings: { memberLimit: 3 } });
    // The owner is one member; two places are left.
    const over = await rest('POST', '/v1/invitations/bulk', { organizationId: limited.id, invitations: [{ email: 'l1@example.com' }, { email: 'l2@example.com' }, { email: 'l3@example.com' }] });
    expect(over.status).toBe(409);
    expect(over.body.error).toMatchObject({ code: 'INVITATION_MEMBER_LIMIT', details: { memberLimit: 3, members: 1, pending: 0, requested: 3 } });
    expect((await sql(api, 'select count(*)::int as n from invitations where organization_id = $1', [limited.id]))[0].n).toBe(0);
    const fits = await rest('POST', '/v1/invitations/bulk', { organizationId: limited.id, invitations: [{ email: 'l1@example.com' }, { email: 'l2@example.com' }] });
    expect(fits.body.created).toBe(2);
    const single = await rest('POST', '/v1/invitations', { organizationId: limited.id, email: 'l3@example.com' });
    expect(single.status).toBe(409);
    expect(single.body.error.code).toBe('INVITATION_MEMBER_LIMIT');
  });

  it("honours the organization's allowed email domains", async () => {
    const closed = await createOrg(api, owner.token, { slug: 'closed', name: 'Closed', settings: { allowedEmailDomains: ['acme.test'] } });
    const single = await rest('POST', '/v1/invitations', { organizationId: closed.id, email: 'outsider@example.com' });
    expect(single.status).toBe(400);
    expect(single.body.error).toMatchObject({ code: 'INVITATION_EMAIL_DOMAIN_NOT_ALLOWED', fields: [{ path: 'email' }] });
    const bulk = await rest('POST', '/v1/invitations/bulk', { organizationId: closed.id, invitations: [{ email: 'insider@acme.test' }, { email: 'outsider@example.com' }] });
    expect(bulk.body.results.map((r: { status: string }) => r.status)).toEqual(['created', 'domain_not_allowed']);
  });
});

describe('over tRPC', () => {
  it('every procedure: create, bulkCreate, list, get, update, resend, revoke, validate, accept, cleanup', async () => {
    const client = api.trpc({ token: owner.token });
    const public_ = api.trpc({ tenant: T });
    const created = await client.invitations.create.mutate({ organizationId: org.id, email: 'trpc@example.com', message: 'via tRPC' });
    expect(created).toMatchObject({ email: 'trpc@example.com', role: 'member', status: 'pending' });
    expect((await trpcError(client.invitations.create.mutate({ organizationId: org.id, email: 'trpc@example.com' }))).code).toBe('INVITATION_ALREADY_PENDING');
    expect(await trpcError(client.invitations.create.mutate({ organizationId: org.id, email: 'nope' }))).toMatchObject({ code: 'VALIDATION_FAILED', httpStatus: 400, fields: [{ path: 'email' }] });

    const bulk = await client.invitations.bulkCreate.mutate({ organizationId: org.id, invitations: [{ email: 'trpc-bulk@example.com' }, { email: 'trpc@example.com' }] });
    expect(bulk.results.map((r) => r.status)).toEqual(['created', 'duplicate']);
    expect((await client.invitations.list.query({ organizationId: org.id, email: 'trpc@example.com' })).items.map((i) => i.id)).toEqual([created.id]);
    expect(await client.invitations.get.query({ id: created.id })).toMatchObject({ id: created.id, message: 'via tRPC' });
    expect(await client.invitations.update.mutate({ id: created.id, role: 'viewer' })).toMatchObject({ role: 'viewer' });
    const resent = await client.invitations.resend.mutate({ id: created.id });
    expect(resent.sendCount).toBe(2);
    await waitFor(() => smtp.messages.filter((m) => m.to.includes('trpc@example.com')).length >= 2, 'both emails');
    // The two emails may arrive in either order (the workers send them concurrently): the current
    // token is the one whose hash the invitation holds now; the other is the first email's.
    const [{ token_hash: current }] = await sql(api, 'select token_hash from invitations where id = $1', [created.id]);
    const tokens = smtp.take('trpc@example.com').map((m) => tokenOf(extractLink(m)));
    const token = tokens.find((t) => sha256(t) === current)!;
    const first = tokens.find((t) => sha256(t) !== current)!;
    expect([token, first].every(Boolean)).toBe(true);
    expect(resent.token).toBeNull();
    expect((await trpcError(public_.invitations.validate.query({ token: first }))).code).toBe('INVITATION_INVALID');
    expect(await public_.invitations.validate.query({ token })).toMatchObject({ valid: true, role: 'viewer', organization: { id: org.id } });
    const accepted = await public_.invitations.accept.mutate({ token, password: PASSWORD, name: 'Tina' });
    expect(accepted).toMatchObject({ user: { email: 'trpc@example.com', created: true }, membership: { role: 'viewer' } });
    expect((await trpcError(public_.invitations.accept.mutate({ token, password: PASSWORD }))).code).toBe('INVITATION_INVALID');

    const other = bulk.results[0]!.invitationId!;
    expect(await client.invitations.revoke.mutate({ id: other })).toMatchObject({ status: 'revoked' });
    expect((await trpcError(client.invitations.revoke.mutate({ id: other }))).code).toBe('INVITATION_NOT_PENDING');
    const stale = await client.invitations.create.mutate({ organizationId: org.id, email: 'stale@example.com' });
    await sql(api, `update invitations set expires_at = now() - interval '1 second' where id = $1`, [stale.id]);
    expect(await client.invitations.cleanup.mutate({ organizationId: org.id })).toEqual({ expired: expect.any(Number) });
    expect((await invitationRow(api, stale.id)).status).toBe('expired');
  });
});
