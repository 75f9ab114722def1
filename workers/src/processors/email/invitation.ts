import type { EmailMessage } from '@plinto/kernel';

/**
 * The invitation email: who invited whom to which organization, as which role, the inviter's own
 * note (quoted as plain text; templates.ts escapes it for HTML), and how long the link works.
 */
export function invitationParts(m: EmailMessage, app: string): { subject: string; lines: string[]; action: string } {
  const organization = m.organizationName ?? app;
  const who = m.inviterName ? `${m.inviterName} invited you` : 'You are invited';
  const days = m.expiresInMinutes ? Math.max(1, Math.round(m.expiresInMinutes / 1440)) : undefined;
  return {
    subject: m.inviterName ? `${m.inviterName} invited you to join ${organization} on ${app}` : `You are invited to join ${organization} on ${app}`,
    lines: [
      `${who} to join ${organization} on ${app}${m.role ? ` as ${m.role}` : ''}.`,
      ...(m.message ? [`${m.inviterName ?? 'The inviter'} wrote: “${m.message}”`] : []),
      `Accept with the link below${days ? `; it works for ${days} day${days === 1 ? '' : 's'}` : ''}. If you did not expect this invitation, ignore this email.`,
    ],
    action: 'Accept the invitation',
  };
}
