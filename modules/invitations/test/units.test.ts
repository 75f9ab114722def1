import { describe, expect, it } from 'vitest';
import { EmailQueue, loadConfig } from '@plinto/kernel';
import { invitationConfigSchema } from '../src/config';
import { acceptLink, hashInvitationToken } from '../src/links';
import { effectiveStatus } from '../src/dto';
import { oneLine, invitationEmailEffect, newInvitationToken } from '../src/links';

describe('invitation links', () => {
  const config = (env: Record<string, string> = {}) => loadConfig({ PUBLIC_URL: 'https://plinto.example', ...env });

  it('use INVITATION_BASE_URL, else the tenant app URL, else PUBLIC_URL, with the token as a query parameter', () => {
    expect(acceptLink(config({ INVITATION_BASE_URL: 'https://join.example/invite?x=1' }), { appUrl: 'https://app.example' }, 'tok')).toBe('https://join.example/invite?x=1&token=tok');
    expect(acceptLink(config(), { appUrl: 'https://app.example/' }, 'tok')).toBe('https://app.example/accept-invitation?token=tok');
    expect(acceptLink(config(), {}, 'a+b')).toBe('https://plinto.example/accept-invitation?token=a%2Bb');
  });

  it('tokens are 256-bit base64url; only a SHA-256 hex digest is stored', () => {
    const { token, hash } = newInvitationToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashInvitationToken(token)).toBe(hash);
    expect(newInvitationToken().token).not.toBe(token);
  });

  it('refuses an INVITATION_BASE_URL that is not http(s)', () => {
    expect(() => loadConfig({ INVITATION_BASE_URL: 'javascript:alert(1)' }, [invitationConfigSchema])).toThrow(/INVITATION_BASE_URL/);
  });
});

describe('invitation status and email payload', () => {
  it('a pending invitation past its expiry reads as expired before the sweep marks it', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    expect(effectiveStatus({ status: 'pending', expiresAt: new Date('2030-01-02T00:00:00Z') }, now)).toBe('pending');
    expect(effectiveStatus({ status: 'pending', expiresAt: now }, now)).toBe('expired');
    expect(effectiveStatus({ status: 'revoked', expiresAt: new Date('2029-01-01T00:00:00Z') }, now)).toBe('revoked');
  });

  it('names in the subject line are one line without control characters', () => {
    expect(oneLine('Eve\r\nBcc: victim@example.com')).toBe('Eve Bcc: victim@example.com');
    expect(oneLine('   ')).toBeNull();
    const effect = invitationEmailEffect(
      { tenantId: '0190cccc-0000-7000-8000-00000000000a', to: 'a@example.com', link: 'https://x/accept?token=t', expiresAt: new Date(Date.now() + 7 * 86_400_000), organizationName: 'Acme\nInc', inviterName: null, message: 'hi', role: 'member' },
    );
    expect(effect).toMatchObject({ queue: 'email', jobName: 'invitation', payload: { template: 'invitation', organizationName: 'Acme Inc', expiresInMinutes: 7 * 1440 } });
    // The email queue's own schema accepts it (the relay refuses payloads that do not fit).
    expect(EmailQueue.payload.parse(effect.payload)).toMatchObject({ template: 'invitation', message: 'hi' });
  });
});
