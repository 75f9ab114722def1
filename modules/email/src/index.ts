/** @plinto/email — per-tenant email templates: their language, defaults, storage, API and rendering. */
import { defineModule, type ModuleSchema } from '@plinto/kernel';
import { EmailTemplateRow } from './entities/email-template.entity';
import { emailMigrations } from './migrations';
import { EmailTemplateEvents } from './events';
import { emailTemplatesRouter } from './router';
import { getTemplate, listTemplates, previewTemplate, resetTemplate, saveTemplate } from './templates.service';

export { emailTemplatesRouter } from './router';
export { EmailErrors } from './errors';
export { EmailTemplateEvents } from './events';
export { DEFAULT_TEMPLATES, type TemplateSource } from './defaults';
export { TEMPLATE_VARIABLES, valuesOf, sampleValues } from './variables';
export { checkTemplate, renderTemplate, type RenderedEmail, type PartProblem } from './render';
export { loadTemplate, listTemplates, getTemplate, saveTemplate, resetTemplate, previewTemplate, type TemplateView } from './templates.service';

export const emailSchema: ModuleSchema = {
  entities: [EmailTemplateRow],
  migrations: emailMigrations,
};

export const emailModule = defineModule({
  name: 'email',
  routers: { emailTemplates: emailTemplatesRouter },
  schema: emailSchema,
  events: [EmailTemplateEvents],
  permissions: [
    { permission: 'email_templates:read', minimumRole: 'viewer', description: "Read the tenant's email templates and preview them" },
    { permission: 'email_templates:write', minimumRole: 'admin', description: "Change or reset the tenant's email templates" },
  ],
  services: { listTemplates, getTemplate, saveTemplate, resetTemplate, previewTemplate },
});
