import { describe, expect, it } from 'vitest';
import { emailTemplates, type EmailMessage } from '@plinto/kernel';
import { checkTemplate, DEFAULT_TEMPLATES, renderTemplate, valuesOf } from '../src/index';
import { parseTemplate, renderNodes } from '../src/template-language';

const render = (source: string, values: Record<string, string | undefined>, mode: 'text' | 'html' = 'text') =>
  renderNodes(parseTemplate(source, Object.keys(values)).nodes, values, mode);

describe('the template language', () => {
  it('substitutes variables, shows sections when a value is there and inverted ones when not', () => {
    expect(render('Hi {{name}}!', { name: 'Ada' })).toBe('Hi Ada!');
    expect(render('{{#name}}Hi {{name}}{{/name}}{{^name}}Hi there{{/name}}', { name: undefined })).toBe('Hi there');
    expect(render('{{ #name }}Hi {{ name }}{{ /name }}', { name: 'Ada' })).toBe('Hi Ada');
  });

  it('escapes values in HTML, never in text', () => {
    const values = { note: '<script>alert(1)</script> & "q"' };
    expect(render('<p>{{note}}</p>', values, 'html')).toBe('<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot;</p>');
    expect(render('{{note}}', values)).toBe(values.note);
  });

  it('refuses unknown variables, unbalanced sections and broken tags, naming them', () => {
    const problems = (source: string) => parseTemplate(source, ['link', 'appName']).problems;
    expect(problems('Go {{link}} at {{appName}}')).toEqual([]);
    expect(problems('Hello {{firstName}}')).toEqual([{ message: expect.stringContaining('unknown variable "firstName"'), variable: 'firstName' }]);
    expect(problems('{{#link}}open')[0]!.message).toContain('never closed');
    expect(problems('{{#link}}x{{/appName}}')[0]!.message).toContain('closes');
    expect(problems('a {{ broken')).toHaveLength(1);
    expect(problems('{{}}')).toHaveLength(1);
  });
});

describe("Plinto's default templates", () => {
  it('are valid for every message, and render the wording people receive', () => {
    for (const template of emailTemplates) expect(checkTemplate(template, DEFAULT_TEMPLATES[template]), template).toEqual([]);
    const message: EmailMessage = {
      template: 'invitation',
      tenantId: '01900000-0000-7000-8000-000000000000',
      to: 'new@example.com',
      link: 'https://app.example.com/accept?token=t',
      expiresInMinutes: 7 * 1440,
      organizationName: 'Acme',
      inviterName: 'Ann',
      message: 'See you <soon>',
      role: 'admin',
    };
    const rendered = renderTemplate('invitation', DEFAULT_TEMPLATES.invitation, valuesOf(message, 'Plinto'));
    expect(rendered.subject).toBe('Ann invited you to join Acme on Plinto');
    expect(rendered.text).toContain('Ann invited you to join Acme on Plinto as admin.');
    expect(rendered.text).toContain('Ann wrote: “See you <soon>”');
    expect(rendered.text).toContain('it works for 7 days');
    expect(rendered.text).toContain('Accept the invitation: https://app.example.com/accept?token=t');
    expect(rendered.html).toContain('See you &lt;soon&gt;');
    const anonymous = renderTemplate('invitation', DEFAULT_TEMPLATES.invitation, valuesOf({ ...message, inviterName: null, message: null }, 'Plinto'));
    expect(anonymous.subject).toBe('You are invited to join Acme on Plinto');
    expect(anonymous.text).not.toContain('wrote');
    expect(anonymous.html).not.toContain('<p></p>');
    const reset = renderTemplate('password_reset', DEFAULT_TEMPLATES.password_reset, valuesOf({ ...message, template: 'password_reset', expiresInMinutes: 30, name: 'Bo' }, 'Plinto'));
    expect(reset.text.startsWith('Hello Bo,')).toBe(true);
    expect(reset.text).toContain('for 30 minutes');
  });

  it('keep a subject on one line whatever a value holds', () => {
    const rendered = renderTemplate('invitation', { ...DEFAULT_TEMPLATES.invitation, subject: '{{inviterMessage}}' }, { inviterMessage: 'a\r\nBcc: evil@example.com' });
    expect(rendered.subject).toBe('a Bcc: evil@example.com');
  });
});
