import { z } from 'zod';
import { emailTemplates } from '@plinto/kernel';

export const templateName = z.enum(emailTemplates).describe('The message: email_verification, password_reset, magic_link, invitation, ...');

const part = (max: number) => z.string().min(1).max(max);
/** A template's three parts, in the template language ({{variable}}, {{#variable}}…{{/variable}}). */
export const templateSource = z.object({
  subject: part(500).describe('One line; variables in {{double braces}}'),
  text: part(20_000).describe('The plain-text body'),
  html: part(100_000).describe('The HTML body; variables are HTML-escaped'),
});

export const templateOutput = templateSource.extend({
  template: templateName,
  variables: z.array(z.string()).describe('The variables this message offers'),
  customized: z.boolean().describe("True when the tenant saved its own wording; false for Plinto's default"),
  updatedAt: z.date().nullable(),
});

export const renderedOutput = z.object({ subject: z.string(), text: z.string(), html: z.string() });
