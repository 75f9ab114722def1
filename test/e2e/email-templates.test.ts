import { describe, expect, it } from 'vitest';
import { signedInUser, startTestApi, startTestWorkers, type SignedInUser, type TestApi } from '../src';
import { extractLink, startSmtpSink } from '../src/smtp-sink';
import { sql } from './auth-helpers';

/**
 * A tenant's own email wording: managed by its admins over REST and tRPC (checked on save,
 * previewable, audited), and used by the email worker for that tenant only.
 */
const magicLink = {
  subject: 'Your {{appName}} link, {{#recipientName}}{{recipientName}}{{/recipientName}}{{^recipientName}}friend{{/recipientName}}',
  text: 'Sign in here: {{link}} (valid {{expiresIn}}).\nSent to {{recipientEmail}}.',
  html: '<p>Sign in <a href="{{link}}">here</a>, {{recipientEmail}}.</p>',
};

async function world(): Promise<{ api: TestApi; smtp: Awaited<ReturnType<typeof startSmtpSink>>; admin: SignedInUser; member: SignedInUser }> {
  const smtp = await startSmtpSink();
  const api = await startTestApi({ EMAIL_PROVIDER: 'smtp', SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000' });
  await startTestWorkers(api.config);
  for (const slug of ['acme', 'other']) expect((await api.rest('POST', '/v1/tenants', { body: { slug, name: slug === 'acme' ? 'Acme' : 'Other' } })).status).toBe(201);
  const roles = await api.rest('GET', '/v1/policies/roles?limit=100', { tenant: 'acme' });
  const adminRole = roles.body.items.find((r: { name: string }) => r.name === 'admin').id as string;
  const admin = await signedInUser(api, { email: 'admin@acme.test', tenant: 'acme' });
  expect((await api.rest('POST', `/v1/policies/roles/${adminRole}/assign`, { tenant: 'acme', body: { userId: admin.id } })).status).toBe(201);
  const member = await signedInUser(api, { email: 'member@acme.test', tenant: 'acme' });
  return { api, smtp, admin, member };
}

describe('email templates', () => {
  it('a tenant admin saves, previews and resets a template; a tenant’s emails use it, other tenants keep the default', async () => {
    const { api, smtp, admin, member } = await world();
    const asAdmin = (method: string, path: string, body?: unknown) => api.rest(method, path, { token: admin.token, body });

    const listed = await asAdmin('GET', '/v1/email-templates');
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((t: { template: string }) => t.template)).toContain('magic_link');
    expect(listed.body.items.every((t: { customized: boolean }) => !t.customized)).toBe(true);

    // An unknown variable is refused on save, naming the part and the variable.
    const refused = await asAdmin('PUT', '/v1/email-templates/magic_link', { ...magicLink, subject: 'Hi {{firstName}}' });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('EMAIL_TEMPLATE_INVALID');
    expect(refused.body.error.fields).toEqual([{ path: 'subject', message: expect.stringContaining('"firstName"'), code: 'unknown_variable' }]);
    // A member may read but not change templates.
    expect((await api.rest('PUT', '/v1/email-templates/magic_link', { token: member.token, body: magicLink })).status).toBe(403);

    const saved = await asAdmin('PUT', '/v1/email-templates/magic_link', magicLink);
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ template: 'magic_link', customized: true, ...magicLink });
    const [event] = await sql(api, `select actor_id, data from audit_events where action = 'email_template.updated'`);
    expect(event).toMatchObject({ actor_id: admin.id, data: { template: 'magic_link' } });

    // Preview: the saved template, or a draft, with sample values.
    const preview = await asAdmin('POST', '/v1/email-templates/magic_link/preview', {});
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ subject: 'Your Acme link, Ada Lovelace', text: expect.stringContaining('Sent to ada@example.com.') });
    const draft = await api.trpc({ token: admin.token }).emailTemplates.preview.mutate({ template: 'magic_link', draft: { ...magicLink, subject: 'Draft for {{recipientEmail}}' } });
    expect(draft.subject).toBe('Draft for ada@example.com');

    // The worker sends acme's wording for acme, the default for another tenant.
    const request = (tenant: string, email: string) => api.rest('POST', '/v1/auth/magic-link', { token: null, tenant, body: { email } });
    expect((await request('acme', member.email)).status).toBe(202);
    const mine = await smtp.waitForEmail(member.email, /Your Acme link/);
    expect(mine.body).toContain(`Sent to ${member.email}.`);
    expect(extractLink(mine).searchParams.get('token')).toBeTruthy();
    const outsider = await signedInUser(api, { email: 'someone@other.test', tenant: 'other' });
    expect((await request('other', outsider.email)).status).toBe(202);
    await smtp.waitForEmail(outsider.email, /Your Other sign-in link/);

    // Reset: back to the default, for the next message.
    const reset = await asAdmin('DELETE', '/v1/email-templates/magic_link');
    expect(reset.body).toMatchObject({ customized: false, subject: 'Your {{appName}} sign-in link' });
    expect((await api.trpc({ token: admin.token }).emailTemplates.get.query({ template: 'magic_link' })).customized).toBe(false);
  });
});
