import { beforeAll, describe, expect, it } from 'vitest';
import { signedInUserWithRole, startTestApi, type SignedInUser, type TestApi } from '../src';

/**
 * Tenant administrators' settings procedure (GET/PATCH /v1/tenant/settings) and the branding of
 * the hosted pages: permissions (viewer reads, admin changes everyday keys, owner security keys),
 * merge semantics, validation naming the field (WCAG AA contrast, https-only logo), audit and
 * event, no reach into another tenant, the public branding read and the page's exact-logo CSP.
 */
const A = 'settings-a';
const B = 'settings-b';
let api: TestApi;
let owner: SignedInUser;
let admin: SignedInUser;
let viewer: SignedInUser;
let adminOfB: SignedInUser;

const userWithRole = (tenant: string, email: string, role: string) => signedInUserWithRole(api, tenant, email, role);

const patch = (user: SignedInUser, settings: Record<string, unknown>, tenant = A) => api.rest('PATCH', '/v1/tenant/settings', { token: user.token, tenant, body: { settings } });
const read = async (tenant: string) => (await api.rest('GET', `/v1/tenants/${tenant}`)).body.settings as Record<string, any>;

beforeAll(async () => {
  api = await startTestApi({ AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000' });
  for (const slug of [A, B]) expect((await api.rest('POST', '/v1/tenants', { body: { slug, name: `${slug} Inc` } })).status).toBe(201);
  owner = await userWithRole(A, 'owner@a.test', 'owner');
  admin = await userWithRole(A, 'admin@a.test', 'admin');
  viewer = await userWithRole(A, 'viewer@a.test', 'viewer');
  adminOfB = await userWithRole(B, 'admin@b.test', 'admin');
}, 120_000);

describe('who may read and change', () => {
  it('a viewer reads the settings and may not change them', async () => {
    const got = await api.rest('GET', '/v1/tenant/settings', { token: viewer.token, tenant: A });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ settings: expect.any(Object), updatedAt: expect.any(String) });
    const refused = await patch(viewer, { branding: { displayName: 'Viewer was here' } });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'FORBIDDEN', details: { permission: 'settings:write' } });
    expect((await read(A)).branding).toBeUndefined();
  });

  it('an admin changes branding but not a security setting (settings:secure, owners)', async () => {
    const ok = await patch(admin, { branding: { displayName: 'Acme', primaryColor: '#1d4ed8' } });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.settings.branding).toEqual({ displayName: 'Acme', primaryColor: '#1d4ed8' });
    for (const settings of [{ passwordMinLength: 20 }, { allowedOrigins: ['https://evil.example'] }, { appUrl: 'https://evil.example' }, { auditRetentionDays: 1 }]) {
      const refused = await patch(admin, settings);
      expect(refused.status, JSON.stringify(settings)).toBe(403);
      expect(refused.body.error).toMatchObject({ code: 'FORBIDDEN', details: { permission: 'settings:secure' } });
    }
    // Mixed with an everyday key, the whole patch is refused: nothing half-applied.
    expect((await patch(admin, { emailSenderName: 'Acme', passwordMinLength: 20 })).status).toBe(403);
    const now = await read(A);
    expect(now.passwordMinLength).toBeUndefined();
    expect(now.emailSenderName).toBeUndefined();
  });

  it('an owner changes security settings', async () => {
    const ok = await patch(owner, { passwordMinLength: 14, allowedOrigins: ['https://app.acme.test'] });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.settings).toMatchObject({ passwordMinLength: 14, allowedOrigins: ['https://app.acme.test'] });
  });
});

describe('merge semantics', () => {
  it('absent keys stay, nested sections merge key by key, null restores the default', async () => {
    expect((await patch(admin, { branding: { supportEmail: 'help@acme.test' } })).status).toBe(200);
    let branding = (await read(A)).branding;
    expect(branding).toMatchObject({ displayName: 'Acme', primaryColor: '#1d4ed8', supportEmail: 'help@acme.test' });
    expect((await read(A)).passwordMinLength).toBe(14);
    expect((await patch(admin, { branding: { displayName: null } })).status).toBe(200);
    branding = (await read(A)).branding;
    expect(branding.displayName).toBeUndefined();
    expect(branding.supportEmail).toBe('help@acme.test');
    expect((await patch(owner, { passwordMinLength: null })).status).toBe(200);
    expect((await read(A)).passwordMinLength).toBeUndefined();
    expect((await patch(admin, { branding: { displayName: 'Acme' } })).status).toBe(200);
  });
});

describe('validation names the field', () => {
  const refused = async (settings: Record<string, unknown>, path: string, message?: RegExp) => {
    const res = await patch(owner, settings);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    const field = res.body.error.fields.find((f: { path: string }) => f.path === path);
    expect(field, JSON.stringify(res.body.error.fields)).toBeDefined();
    if (message) expect(field.message).toMatch(message);
  };

  it('refuses a primary colour white text cannot be read on (WCAG AA)', async () => {
    await refused({ branding: { primaryColor: '#ffcc00' } }, 'settings.branding.primaryColor', /contrast .*4\.5:1/);
  });

  it('refuses a background the stored primary colour cannot be read on', async () => {
    // #1d4ed8 (stored) on a dark navy background: the pair fails even though each alone is valid.
    await refused({ branding: { backgroundColor: '#0b1a4a' } }, 'settings.branding.backgroundColor', /#1d4ed8 on the background #0b1a4a/);
  });

  it('refuses a colour that is not #rrggbb, a logo that is not one https image, a bad support address', async () => {
    await refused({ branding: { primaryColor: 'blue' } }, 'settings.branding.primaryColor');
    await refused({ branding: { logoUrl: 'http://cdn.acme.test/logo.png' } }, 'settings.branding.logoUrl');
    await refused({ branding: { logoUrl: 'https://cdn.acme.test/' } }, 'settings.branding.logoUrl');
    await refused({ branding: { logoUrl: "https://cdn.acme.test/a;script-src 'unsafe-inline'" } }, 'settings.branding.logoUrl');
    await refused({ branding: { supportEmail: 'not an address' } }, 'settings.branding.supportEmail');
    await refused({ passwordMinLength: 4 }, 'settings.passwordMinLength');
  });

  it('refuses a key no module declares', async () => {
    const res = await patch(owner, { brandng: { displayName: 'typo' } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
  });
});

describe('audit and events', () => {
  it('records tenant.settings_updated with what changed and who changed it', async () => {
    expect((await patch(admin, { branding: { backgroundColor: '#f1f5f9' } })).status).toBe(200);
    const events = await api.rest('GET', '/v1/audit-logs?action=tenant.settings_updated&limit=20', { tenant: A });
    expect(events.status, JSON.stringify(events.body)).toBe(200);
    const last = events.body.items[0];
    expect(last).toMatchObject({ action: 'tenant.settings_updated', actor: { type: 'user', id: admin.id } });
    expect(last.data.changes.branding.to).toMatchObject({ backgroundColor: '#f1f5f9' });
  });
});

describe('another tenant', () => {
  it("an administrator of one tenant cannot read or change another's settings", async () => {
    const before = await read(A);
    // The credential decides the tenant: naming A in X-Plinto-Tenant changes B's own settings, never A's.
    const res = await patch(adminOfB, { branding: { displayName: 'Hijacked' } }, A);
    expect(res.status).toBe(200);
    expect(await read(A)).toEqual(before);
    expect((await read(B)).branding).toEqual({ displayName: 'Hijacked' });
    const got = await api.rest('GET', '/v1/tenant/settings', { token: adminOfB.token, tenant: A });
    expect(got.body.settings.branding).toEqual({ displayName: 'Hijacked' });
    // The platform operators' procedure stays theirs.
    const platform = await api.rest('PATCH', `/v1/tenants/${A}`, { token: adminOfB.token, body: { settings: { branding: { displayName: 'Hijacked' } } } });
    expect(platform.status).toBe(403);
    expect(await read(A)).toEqual(before);
  });
});

describe('branding delivered to the hosted pages', () => {
  it('is a public, cacheable read', async () => {
    const res = await api.rest('GET', '/v1/tenant/branding', { token: null, tenant: A });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ name: 'Acme', logoUrl: null, primaryColor: '#1d4ed8', backgroundColor: '#f1f5f9', supportEmail: 'help@acme.test' });
    expect(res.headers.get('cache-control')).toBe('public, max-age=60');
    const unbranded = await api.rest('GET', '/v1/tenant/branding', { token: null, tenant: 'default' });
    expect(unbranded.body).toMatchObject({ name: 'Default', primaryColor: null });
  });

  it("comes with the page, and the page's CSP allows exactly the logo", async () => {
    expect((await patch(admin, { branding: { logoUrl: 'https://cdn.acme.test/brand/logo.png?v=2', displayName: 'Acme "<b>' } })).status).toBe(200);
    const res = await fetch(`${api.url}/t/${A}/sign-in`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    const imgSrc = csp.split(';').map((d) => d.trim()).find((d) => d.startsWith('img-src'));
    expect(imgSrc).toBe("img-src 'self' data: https://cdn.acme.test/brand/logo.png");
    const html = await res.text();
    expect(html).toContain('<title>Acme &#34;&#60;b&#62;</title>');
    expect(html).not.toContain('Acme "<b>');
    expect(html).toMatch(/<meta name="plinto-branding" content="[^"]*cdn\.acme\.test/);
    // A tenant without a logo: no image from anywhere else.
    const plain = await fetch(`${api.url}/t/${B}/sign-in`);
    expect(plain.headers.get('content-security-policy')).toContain("img-src 'self' data:;");
  });
});
