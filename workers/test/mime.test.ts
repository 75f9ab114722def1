import { describe, expect, it } from 'vitest';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import { composeMessage } from '../src/email/mime';
import type { OutgoingEmail } from '../src/email/provider';

// The email worker composes its messages itself (see mime.ts for why). A real parser must read
// them exactly as it reads nodemailer's MailComposer output for the same message.
const base: OutgoingEmail = {
  from: { name: 'Acme', address: 'accounts@acme.test' },
  to: { name: null, address: 'person@example.com' },
  subject: 'Verify your email for Acme',
  text: 'Hello,\n\nOpen https://app.acme.test/verify?token=abc_DEF-123 to verify.\n',
  html: '<p>Hello,</p><p><a href="https://app.acme.test/verify?token=abc_DEF-123">Verify</a></p>',
};

const samples: Record<string, OutgoingEmail> = {
  'plain ASCII': base,
  'non-ASCII subject, sender and recipient names': {
    ...base,
    from: { name: 'Ünïcødé Ørg — 招待', address: 'accounts@acme.test' },
    to: { name: 'Zoë O’Brien', address: 'zoe@example.com' },
    subject: 'Bienvenue chez Ünïcødé Ørg — 招待されました 🎉',
  },
  'names that need quoting': {
    ...base,
    from: { name: 'Acme, Inc. "Accounts" <team> \\ (support)', address: 'accounts@acme.test' },
    to: { name: 'Doe; John', address: 'john@example.com' },
  },
  'a long subject with and without spaces': {
    ...base,
    subject: `${'word '.repeat(40)}${'x'.repeat(150)} end`,
  },
  'long lines, dot lines, trailing spaces, mixed line breaks, emoji': {
    ...base,
    text: `${'a'.repeat(1200)}\n.\n.starts with a dot\ntrailing spaces   \r\nwindows line\n🎉 done`,
    html: `<p>${'b'.repeat(2000)}</p>\n<p>.</p>\n<p>tabs\t\tand = signs =3D</p>`,
  },
  'an internationalized domain': {
    ...base,
    to: { name: null, address: 'leser@bücher.example' },
  },
};

const parse = (raw: Buffer | string) => simpleParser(raw, { skipTextLinks: true, skipHtmlToText: true, skipImageLinks: true });
const addresses = (field: AddressObject | AddressObject[] | undefined) => [field ?? []].flat().flatMap((a) => a.value.map(({ name, address }) => ({ name, address })));
const readable = (mail: ParsedMail) => ({
  subject: mail.subject,
  from: addresses(mail.from),
  to: addresses(mail.to),
  text: mail.text,
  html: mail.html,
  parts: (mail.headers.get('content-type') as { value: string }).value,
});

async function nodemailers(email: OutgoingEmail): Promise<Buffer> {
  return new MailComposer({ from: email.from, to: email.to.name ? { name: email.to.name, address: email.to.address } : email.to.address, subject: email.subject, text: email.text, html: email.html }).compile().build();
}

describe('composeMessage', () => {
  for (const [name, email] of Object.entries(samples)) {
    it(`reads like nodemailer's MailComposer output: ${name}`, async () => {
      const ours = await parse(composeMessage(email).raw);
      const theirs = await parse(await nodemailers(email));
      expect(readable(ours)).toEqual(readable(theirs));
      // And what was meant, not only what nodemailer made of it.
      expect(ours.subject).toBe(email.subject);
      expect(ours.text?.replace(/\r\n?/g, '\n')).toBe(email.text.replace(/\r\n?/g, '\n'));
    });
  }

  it('writes 7-bit lines no longer than SMTP allows, so no server rewrites or refuses it', () => {
    for (const email of Object.values(samples)) {
      const raw = composeMessage(email).raw.toString('latin1');
      expect([...raw].every((c) => c.charCodeAt(0) < 0x80)).toBe(true);
      // RFC 5322: a line MUST stay within 998 characters; the bodies' quoted-printable within 76.
      const [head, ...body] = raw.split('\r\n\r\n');
      expect(head!.split('\r\n').filter((line) => line.length > 998)).toEqual([]);
      expect(body.join('\r\n').split('\r\n').filter((line) => line.length > 78)).toEqual([]);
      expect(raw.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    }
  });

  it('reads a lone CR in a body as the line break it meant (MailComposer drops it)', async () => {
    const mail = await parse(composeMessage({ ...base, text: 'first\rsecond' }).raw);
    expect(mail.text?.trim().split(/\r?\n/)).toEqual(['first', 'second']);
  });

  it('keeps a line break in a subject or a name from starting a header of its own', async () => {
    const email = {
      ...base,
      from: { name: 'Evil\r\nBcc: victim@evil.test', address: 'accounts@acme.test' },
      to: { name: 'X\nReply-To: thief@evil.test', address: 'person@example.com' },
      subject: 'Hello\r\nBcc: victim@evil.test\r\n\r\nInjected body',
    };
    const mail = await parse(composeMessage(email).raw);
    expect(mail.headers.has('bcc')).toBe(false);
    expect(mail.headers.has('reply-to')).toBe(false);
    expect(mail.subject).toBe('Hello Bcc: victim@evil.test Injected body');
    expect(mail.text?.trim()).toBe(base.text.trim());
  });

  it('gives each message its own Message-ID at the sender domain, and says when it was written', async () => {
    const [a, b] = [composeMessage(base), composeMessage(base)];
    expect(a.messageId).toMatch(/^<[0-9a-f-]{36}@acme\.test>$/);
    expect(a.messageId).not.toBe(b.messageId);
    const mail = await parse(a.raw);
    expect(mail.messageId).toBe(a.messageId);
    expect(Math.abs(mail.date!.getTime() - Date.now())).toBeLessThan(60_000);
  });
});
