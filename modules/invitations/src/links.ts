import { EMAIL_QUEUE, randomToken, sha256, type Config, type SideEffect } from '@plinto/kernel';
import { linkBase, type LinkSettings } from '@plinto/auth';
import { invitationConfig } from './config';

/** A new invitation token: 256 random bits; only its SHA-256 (`hash`) is stored. */
export function newInvitationToken(): { token: string; hash: string } {
  const token = randomToken(32);
  return { token, hash: sha256(token) };
}

export const hashInvitationToken = (token: string): string => sha256(token);

/**
 * The accept link: INVITATION_BASE_URL, else the tenant's app URL (else its hosted pages) +
 * `/accept-invitation`, with `?token=`. Like auth's emailed links it is never derived from the
 * request's Host or X-Forwarded-* headers: a poisoned header must not make us mail an invitee a
 * link to an attacker's site carrying their token.
 */
export function acceptLink(config: Config, settings: LinkSettings, token: string): string {
  const configured = invitationConfig(config).INVITATION_BASE_URL;
  const url = new URL(configured ?? `${linkBase(config, settings)}/accept-invitation`);
  url.searchParams.set('token', token);
  return url.toString();
}

/** Names and notes written by users end up in a subject line: one line, no control characters. */
// eslint-disable-next-line no-control-regex -- removing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]+/g;

export const oneLine = (value: string | null | undefined, max = 200): string | null =>
  value ? value.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim().slice(0, max) || null : null;

export interface InvitationEmail {
  tenantId: string;
  to: string;
  link: string;
  expiresAt: Date;
  organizationName: string;
  inviterName: string | null;
  message: string | null;
  role: string;
}

/** The outbox effect that makes the email worker send the invitation (after commit). */
export function invitationEmailEffect(email: InvitationEmail, now = new Date()): SideEffect {
  const expiresInMinutes = Math.max(1, Math.round((email.expiresAt.getTime() - now.getTime()) / 60_000));
  return {
    queue: EMAIL_QUEUE,
    jobName: 'invitation',
    payload: {
      template: 'invitation',
      tenantId: email.tenantId,
      to: email.to,
      link: email.link,
      expiresInMinutes,
      organizationName: oneLine(email.organizationName) ?? undefined,
      inviterName: oneLine(email.inviterName, 320),
      message: email.message,
      role: email.role,
    },
  };
}
