import { z } from 'zod';
import { procedure } from '@plinto/kernel';
import { getTemplate, listTemplates, previewTemplate, resetTemplate, saveTemplate } from '../templates.service';
import { renderedOutput, templateName, templateOutput, templateSource } from '../schemas';

const TAGS = ['email-templates'];
/** The service decides the permission; the meta names it for the catalog, OpenAPI and the permission walk. */
const templatesProcedure = (permission: 'email_templates:read' | 'email_templates:write') => procedure.meta({ permission });

export const listEmailTemplatesProcedure = templatesProcedure('email_templates:read')
  .meta({ openapi: { method: 'GET', path: '/email-templates', tags: TAGS, summary: "Every message's template: the tenant's own wording or Plinto's default", protect: true } })
  .input(z.object({}).optional())
  .output(z.object({ items: z.array(templateOutput) }))
  .query(async ({ ctx }) => ({ items: await listTemplates(ctx.sc) }));

export const getEmailTemplateProcedure = templatesProcedure('email_templates:read')
  .meta({ openapi: { method: 'GET', path: '/email-templates/{template}', tags: TAGS, summary: "One message's template and the variables it may use", protect: true } })
  .input(z.object({ template: templateName }))
  .output(templateOutput)
  .query(({ ctx, input }) => getTemplate(ctx.sc, input.template));

export const updateEmailTemplateProcedure = templatesProcedure('email_templates:write')
  .meta({
    openapi: { method: 'PUT', path: '/email-templates/{template}', tags: TAGS, summary: "Save the tenant's wording of a message (a variable the message does not offer is refused)", protect: true },
  })
  .input(templateSource.extend({ template: templateName }))
  .output(templateOutput)
  .mutation(({ ctx, input }) => {
    const { template, ...source } = input;
    return saveTemplate(ctx.sc, template, source);
  });

export const resetEmailTemplateProcedure = templatesProcedure('email_templates:write')
  .meta({ openapi: { method: 'DELETE', path: '/email-templates/{template}', tags: TAGS, summary: "Go back to Plinto's default wording of a message", protect: true } })
  .input(z.object({ template: templateName }))
  .output(templateOutput)
  .mutation(({ ctx, input }) => resetTemplate(ctx.sc, input.template));

export const previewEmailTemplateProcedure = templatesProcedure('email_templates:read')
  .meta({
    openapi: { method: 'POST', path: '/email-templates/{template}/preview', tags: TAGS, summary: 'Render the saved template — or a draft sent in the body — with sample values', protect: true },
  })
  .input(z.object({ template: templateName, draft: templateSource.optional() }))
  .output(renderedOutput)
  .mutation(({ ctx, input }) => previewTemplate(ctx.sc, input.template, input.draft));
