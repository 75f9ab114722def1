import { defineEntity, p } from '@mikro-orm/core';

/** A tenant's own wording of one message; absent, Plinto's default is used. */
export const EmailTemplateRow = defineEntity({
  name: 'EmailTemplateRow',
  tableName: 'email_templates',
  properties: {
    tenantId: p.uuid().primary(),
    template: p.string().primary(),
    subject: p.text(),
    textBody: p.text(),
    htmlBody: p.text(),
    updatedAt: p.datetime(),
    /** The audit actor who saved it (`user:<id>`, `api_key:<id>`...). */
    updatedBy: p.string().nullable(),
  },
});
