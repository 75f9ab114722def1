import { z } from 'zod';
import { defineEvents } from '@plinto/kernel';

/** The events this module records (the audit action catalog and the webhook event types). */
export const EmailTemplateEvents = defineEvents('email', {
  'email_template.updated': { description: 'A tenant saved its own wording of an email', data: z.object({ template: z.string() }) },
  'email_template.reset': { description: "A tenant's email went back to Plinto's default wording", data: z.object({ template: z.string() }) },
});
