import type { EmailMessage } from '@plinto/kernel';
import { invitationParts } from './invitation';

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (value: string) =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

interface Parts {
  subject: string;
  /** Paragraphs, plain text. */
  lines: string[];
  action?: string;
}

const minutes = (m: EmailMessage) => (m.expiresInMinutes && m.expiresInMinutes >= 120 ? `${Math.round(m.expiresInMinutes / 60)} hours` : `${m.expiresInMinutes ?? 0} minutes`);

/** The wording of each message type. Every link-bearing message says how long the link works. */
function parts(m: EmailMessage, app: string): Parts {
  switch (m.template) {
    case 'email_verification':
      return { subject: `Verify your email for ${app}`, lines: [`Confirm that this is your email address for ${app}.`, `The link works for ${minutes(m)}.`], action: 'Verify email' };
    case 'password_reset':
      return {
        subject: `Reset your ${app} password`,
        lines: [`Someone asked to reset the password of your ${app} account.`, `The link works once, for ${minutes(m)}. If it was not you, ignore this email.`],
        action: 'Choose a new password',
      };
    case 'account_exists':
      return {
        subject: `You already have a ${app} account`,
        lines: [`Someone tried to sign up for ${app} with this email address, which already has an account.`, `Sign in as usual, or reset your password (the link works for ${minutes(m)}). If it was not you, ignore this email.`],
        action: 'Reset password',
      };
    case 'magic_link':
      return { subject: `Your ${app} sign-in link`, lines: [`Use this link to sign in to ${app}.`, `It works once, for ${minutes(m)}. If you did not ask for it, ignore this email.`], action: 'Sign in' };
    case 'password_changed':
      return { subject: `Your ${app} password was changed`, lines: [`The password of your ${app} account was just changed and every session was signed out.`, 'If it was not you, reset your password now and contact support.'] };
    case 'mfa_enabled':
      return { subject: `Two-factor authentication is on for ${app}`, lines: [`Two-factor authentication was turned on for your ${app} account. Keep your recovery codes safe.`] };
    case 'mfa_disabled':
      return { subject: `Two-factor authentication is off for ${app}`, lines: [`Two-factor authentication was turned off for your ${app} account.`, 'If it was not you, reset your password now.'] };
    case 'invitation':
      return invitationParts(m, app);
  }
}

export function renderEmail(message: EmailMessage, appName: string): RenderedEmail {
  const p = parts(message, appName);
  const greeting = message.name ? `Hello ${message.name},` : 'Hello,';
  const text = [greeting, '', ...p.lines.flatMap((l) => [l, '']), ...(message.link ? [`${p.action ?? 'Open'}: ${message.link}`, ''] : []), `— ${appName}`].join('\n');
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">',
    `<p>${escapeHtml(greeting)}</p>`,
    ...p.lines.map((l) => `<p>${escapeHtml(l)}</p>`),
    message.link ? `<p><a href="${escapeHtml(message.link)}">${escapeHtml(p.action ?? 'Open')}</a></p>` : '',
    `<p>— ${escapeHtml(appName)}</p>`,
    '</body></html>',
  ].join('\n');
  return { subject: p.subject, text, html };
}
