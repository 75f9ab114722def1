import type { EmailTemplate } from '@plinto/kernel';

/** A message's template: its subject, plain-text body and HTML body, in the template language. */
export interface TemplateSource {
  subject: string;
  text: string;
  html: string;
}

const GREETING = 'Hello{{#recipientName}} {{recipientName}}{{/recipientName}},';

/** Plain text: greeting, paragraphs, the link with its action, the signature. */
const text = (lines: string[], action?: string) =>
  [GREETING, '', ...lines.flatMap((l) => [l, '']), ...(action ? [`${action}: {{link}}`, ''] : []), '— {{appName}}'].join('\n');

/** HTML: the same, escaped by the renderer. */
const html = (lines: string[], action?: string) =>
  [
    '<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">',
    `<p>${GREETING}</p>`,
    ...lines.map((l) => `<p>${l}</p>`),
    ...(action ? [`<p><a href="{{link}}">${action}</a></p>`] : []),
    '<p>— {{appName}}</p>',
    '</body></html>',
  ].join('\n');

const message = (subject: string, lines: string[], action?: string): TemplateSource => ({ subject, text: text(lines, action), html: html(lines, action) });

/** Plinto's wording of every message, used unless a tenant saved its own. */
export const DEFAULT_TEMPLATES: Record<EmailTemplate, TemplateSource> = {
  email_verification: message('Verify your email for {{appName}}', ['Confirm that this is your email address for {{appName}}.', 'The link works for {{expiresIn}}.'], 'Verify email'),
  password_reset: message(
    'Reset your {{appName}} password',
    ['Someone asked to reset the password of your {{appName}} account.', 'The link works once, for {{expiresIn}}. If it was not you, ignore this email.'],
    'Choose a new password',
  ),
  account_exists: message(
    'You already have a {{appName}} account',
    [
      'Someone tried to sign up for {{appName}} with this email address, which already has an account.',
      'Sign in as usual, or reset your password (the link works for {{expiresIn}}). If it was not you, ignore this email.',
    ],
    'Reset password',
  ),
  magic_link: message('Your {{appName}} sign-in link', ['Use this link to sign in to {{appName}}.', 'It works once, for {{expiresIn}}. If you did not ask for it, ignore this email.'], 'Sign in'),
  password_changed: message('Your {{appName}} password was changed', [
    'The password of your {{appName}} account was just changed and every session was signed out.',
    'If it was not you, reset your password now and contact support.',
  ]),
  mfa_enabled: message('Two-factor authentication is on for {{appName}}', ['Two-factor authentication was turned on for your {{appName}} account. Keep your recovery codes safe.']),
  mfa_disabled: message('Two-factor authentication is off for {{appName}}', ['Two-factor authentication was turned off for your {{appName}} account.', 'If it was not you, reset your password now.']),
  email_change: message(
    'Confirm your new email address for {{appName}}',
    ['Someone asked to make this the email address of your {{appName}} account.', 'Nothing changes until you confirm; the link works once, for {{expiresIn}}. If it was not you, ignore this email.'],
    'Confirm the new address',
  ),
  email_changed: message('The email address of your {{appName}} account was changed', [
    'Your {{appName}} account now uses another email address; this address ({{recipientEmail}}) is no longer used to sign in.',
    'If it was not you, contact support now.',
  ]),
  invitation: message(
    '{{#inviterName}}{{inviterName}} invited you{{/inviterName}}{{^inviterName}}You are invited{{/inviterName}} to join {{organizationName}} on {{appName}}',
    [
      '{{#inviterName}}{{inviterName}} invited you{{/inviterName}}{{^inviterName}}You are invited{{/inviterName}} to join {{organizationName}} on {{appName}}{{#role}} as {{role}}{{/role}}.',
      '{{#inviterMessage}}{{#inviterName}}{{inviterName}}{{/inviterName}}{{^inviterName}}The inviter{{/inviterName}} wrote: “{{inviterMessage}}”{{/inviterMessage}}',
      'Accept with the link below{{#expiresIn}}; it works for {{expiresIn}}{{/expiresIn}}. If you did not expect this invitation, ignore this email.',
    ],
    'Accept the invitation',
  ),
};
