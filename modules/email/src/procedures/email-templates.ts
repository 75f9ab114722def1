import { z } from 'zod';
import { auditActor, protectedProcedure } from '@plinto/kernel';
import { getTenant } from '@plinto/tenants';
import { listTemplates, loadTemplate, previewTemplate, resetTemplate, saveTemplate } from '../templates.service';
import { renderedOutput, templateName, templateOutput, templateSource } from '../schemas';

const TAGS = ['email-templates'];
const READ = 'email_templates:read';
const WRITE = 'email_templates:write';

export const listEmailTemplatesProcedure = protectedProcedure(READ)
  .meta({ openapi: { method: 'GET', path: '/email-templates', tags: TAGS, summary: "Every message's template: the tenant's own wording or Plinto's default", protect: true } })
  .input(z.object({}).optional())
  .output(z.object({ items: z.array(templateOutput) }))
  .query(async ({ ctx }) => ({ items: await listTemplates(ctx.em, ctx.tenant.id) }));

export const getEmailTemplateProcedure = protectedProcedure(READ)
  .meta({ openapi: { method: 'GET', path: '/email-templates/{template}', tags: TAGS, summary: "One message's template and the variables it may use", protect: true } })
  .input(z.object({ template: templateName }))
  .output(templateOutput)
  .query(({ ctx, input }) => loadTemplate(ctx.em, ctx.tenant.id, input.template));

export const updateEmailTemplateProcedure = protectedProcedure(WRITE)
  .meta({
    openapi: { method: 'PUT', path: '/email-templates/{template}', tags: TAGS, summary: "Save the tenant's wording of a message (a variable the message does not offer is refused)", protect: true },
  })
  .input(templateSource.extend({ template: templateName }))
  .output(templateOutput)
  .mutation(({ ctx, input }) => {
    const { template, ...source } = input;
    return saveTemplate(ctx.em, auditActor(ctx.request, ctx.principal), ctx.tenant.id, template, source);
  });

export const resetEmailTemplateProcedure = protectedProcedure(WRITE)
  .meta({ openapi: { method: 'DELETE', path: '/email-templates/{template}', tags: TAGS, summary: "Go back to Plinto's default wording of a message", protect: true } })
  .input(z.object({ template: templateName }))
  .output(templateOutput)
  .mutation(({ ctx, input }) => resetTemplate(ctx.em, auditActor(ctx.request, ctx.principal), ctx.tenant.id, input.template));

export const previewEmailTemplateProcedure = protectedProcedure(READ)
  .meta({
    openapi: { method: 'POST', path: '/email-templates/{template}/preview', tags: TAGS, summary: 'Render the saved template — or a draft sent in the body — with sample values', protect: true },
  })
  .input(z.object({ template: templateName, draft: templateSource.optional() }))
  .output(renderedOutput)
  .mutation(async ({ ctx, input }) => {
    const tenant = await getTenant(ctx.em, ctx.tenant.id);
    return previewTemplate(ctx.em, ctx.tenant.id, tenant.settings.emailSenderName ?? tenant.name, input.template, input.draft);
  });
