/** @plinto/email — per-tenant email templates: their language, defaults, storage, API and rendering. */
import type { ModuleSchema } from '@plinto/kernel';
import { EmailTemplateRow } from './entities/email-template.entity';
import { emailMigrations } from './migrations';
import './events';

export { emailTemplatesRouter } from './router';
export { EmailErrors } from './errors';
export { DEFAULT_TEMPLATES, type TemplateSource } from './defaults';
export { TEMPLATE_VARIABLES, valuesOf, sampleValues } from './variables';
export { checkTemplate, renderTemplate, type RenderedEmail, type PartProblem } from './render';
export { loadTemplate, listTemplates, saveTemplate, resetTemplate, previewTemplate, type TemplateView } from './templates.service';

export const emailSchema: ModuleSchema = {
  entities: [EmailTemplateRow],
  migrations: emailMigrations,
};
