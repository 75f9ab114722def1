import { randomUUID } from 'node:crypto';
import { domainToASCII } from 'node:url';
import { encodeWord, encodeWords, foldLines, isPlainText } from 'nodemailer/lib/mime-funcs';
import { encode as quotedPrintable, wrap as wrapQuotedPrintable } from 'nodemailer/lib/qp';
import type { OutgoingEmail } from './provider';

/**
 * Composes the one shape of message Plinto sends (a text part and an HTML part, as
 * multipart/alternative, UTF-8, quoted-printable) straight into the bytes SMTP carries.
 *
 * Why not nodemailer's MailComposer: it builds a tree of MIME nodes and streams each through a
 * pipeline of transforms, which was about a fifth of the email worker's CPU per message in `pnpm
 * bench invitations` (crypto.randomBytes per node, an AbortController per pipeline). The encoding
 * rules are still nodemailer's own (its quoted-printable and encoded-word functions), so headers
 * and bodies read the same to a mail client; `workers/test/mime.test.ts` parses both and compares.
 */
export function composeMessage(email: OutgoingEmail): { messageId: string; raw: Buffer } {
  const messageId = `<${randomUUID()}@${domainOf(email.from.address)}>`;
  const boundary = `--_plinto_${randomUUID()}`;
  const head = [
    // Folded: the boundary parameter on a line of its own keeps the header within 78 characters.
    `Content-Type: multipart/alternative;\r\n boundary="${boundary}"`,
    header('From', mailbox(email.from.name, email.from.address)),
    header('To', mailbox(email.to.name, email.to.address)),
    header('Subject', text(email.subject)),
    `Message-ID: ${messageId}`,
    `Date: ${new Date().toUTCString().replace(/GMT$/, '+0000')}`,
    'MIME-Version: 1.0',
  ];
  const raw = [
    ...head,
    '',
    `--${boundary}`,
    ...part('text/plain', email.text),
    `--${boundary}`,
    ...part('text/html', email.html),
    `--${boundary}--`,
    '',
  ].join('\r\n');
  return { messageId, raw: Buffer.from(raw, 'utf8') };
}

function part(contentType: string, body: string): string[] {
  // Line breaks as CRLF, as MIME requires, before encoding (the encoder keeps CRLF as breaks).
  const encoded = wrapQuotedPrintable(quotedPrintable(body.replace(/\r\n|\r|\n/g, '\r\n')), 76);
  return [`Content-Type: ${contentType}; charset=utf-8`, 'Content-Transfer-Encoding: quoted-printable', '', encoded];
}

/** A header folded at 76 characters. Its value is a single line already (see `oneLine`). */
const header = (name: string, value: string) => foldLines(`${name}: ${value}`, 76);

/**
 * Header text on one line: a line break in a tenant's subject or sender name would start a header
 * of its own (header injection), so breaks become spaces. Non-ASCII text becomes encoded words.
 */
function text(value: string): string {
  const line = oneLine(value);
  return isPlainText(line) ? line : encodeWords(line, 'Q', 52);
}

/** `"Display Name" <address>`, or the bare address when there is no name. */
function mailbox(name: string | null | undefined, address: string): string {
  const addr = headerAddress(oneLine(address).replace(/[<>]/g, ''));
  const display = oneLine(name ?? '').trim();
  if (!display) return addr;
  // A quoted string holds any printable ASCII; anything else goes whole into encoded words.
  const phrase = isPlainText(display, true) ? `"${display.replace(/["\\]/g, '\\$&')}"` : encodeWord(display, 'Q', 52);
  return `${phrase} <${addr}>`;
}

/** The address with an internationalized domain in its ASCII (punycode) form, as MailComposer wrote it. */
function headerAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0 || isPlainText(address)) return address;
  return `${address.slice(0, at)}@${domainToASCII(address.slice(at + 1)) || address.slice(at + 1)}`;
}

const domainOf = (address: string) => {
  const domain = address.slice(address.lastIndexOf('@') + 1).replace(/[^A-Za-z0-9.-]/g, '');
  return domain || 'plinto.local';
};

const oneLine = (value: string) => value.replace(/[\r\n]+/g, ' ');
