import { emailTemplates, emailTenantSettings, recordEvent, tenantSection, type EmailTemplate, type EntityManager, type ServiceContext } from '@plinto/kernel';
import { EmailTemplateEvents } from './events';
import { DEFAULT_TEMPLATES, type TemplateSource } from './defaults';
import { EmailErrors } from './errors';
import { checkTemplate, renderTemplate, type RenderedEmail } from './render';
import { sampleValues, TEMPLATE_VARIABLES } from './variables';

export interface TemplateView extends TemplateSource {
  template: EmailTemplate;
  /** The variables this message offers its template. */
  variables: string[];
  /** True when the tenant saved its own wording; false for Plinto's default. */
  customized: boolean;
  updatedAt: Date | null;
}

interface Row {
  template: EmailTemplate;
  subject: string;
  text_body: string;
  html_body: string;
  updated_at: string;
}

const view = (template: EmailTemplate, row: Row | undefined): TemplateView => ({
  template,
  variables: [...TEMPLATE_VARIABLES[template]],
  customized: Boolean(row),
  ...(row ? { subject: row.subject, text: row.text_body, html: row.html_body } : DEFAULT_TEMPLATES[template]),
  updatedAt: row ? new Date(row.updated_at) : null,
});

/** The wording a tenant's message is sent with: its own, else Plinto's (the email worker's read). */
export async function loadTemplate(em: EntityManager, tenantId: string, template: EmailTemplate): Promise<TemplateView> {
  const [row] = await em.execute<Row[]>('select template, subject, text_body, html_body, updated_at from email_templates where tenant_id = ? and template = ?', [tenantId, template]);
  return view(template, row);
}

const READ = 'email_templates:read';
const WRITE = 'email_templates:write';

export async function listTemplates(sc: ServiceContext): Promise<TemplateView[]> {
  await sc.authz.require(READ);
  const rows = await sc.em.execute<Row[]>('select template, subject, text_body, html_body, updated_at from email_templates where tenant_id = ?', [sc.tenant.id]);
  const byName = new Map(rows.map((r) => [r.template, r]));
  return emailTemplates.map((template) => view(template, byName.get(template)));
}

export async function getTemplate(sc: ServiceContext, template: EmailTemplate): Promise<TemplateView> {
  await sc.authz.require(READ);
  return loadTemplate(sc.em, sc.tenant.id, template);
}

/** Refuses a template with an unknown variable or unbalanced sections, naming the part and the variable. */
function assertValid(template: EmailTemplate, source: TemplateSource): void {
  const problems = checkTemplate(template, source);
  if (problems.length === 0) return;
  throw EmailErrors.EMAIL_TEMPLATE_INVALID({
    fields: problems.map((p) => ({ path: p.part, message: p.message, code: p.variable ? 'unknown_variable' : 'invalid_template' })),
    details: { variables: [...TEMPLATE_VARIABLES[template]] },
  });
}

/** Saves the tenant's wording of one message (checked first), audited. */
export async function saveTemplate(sc: ServiceContext, template: EmailTemplate, source: TemplateSource): Promise<TemplateView> {
  await sc.authz.require(WRITE);
  assertValid(template, source);
  const { actor } = sc;
  return sc.em.transactional(async (tx) => {
    const [row] = await tx.execute<Row[]>(
      `insert into email_templates (tenant_id, template, subject, text_body, html_body, updated_at, updated_by)
       values (?, ?, ?, ?, ?, now(), ?)
       on conflict (tenant_id, template) do update
         set subject = excluded.subject, text_body = excluded.text_body, html_body = excluded.html_body, updated_at = now(), updated_by = excluded.updated_by
       returning template, subject, text_body, html_body, updated_at`,
      [sc.tenant.id, template, source.subject, source.text, source.html, actor.id ? `${actor.type}:${actor.id}` : actor.type],
    );
    recordEvent(tx, actor, EmailTemplateEvents.of('email_template.updated', { tenantId: sc.tenant.id, target: { type: 'email_template', id: template }, data: { template } }));
    await tx.flush();
    return view(template, row);
  });
}

/** Back to Plinto's default wording, audited (a no-op reset is recorded too: it was asked for). */
export async function resetTemplate(sc: ServiceContext, template: EmailTemplate): Promise<TemplateView> {
  await sc.authz.require(WRITE);
  return sc.em.transactional(async (tx) => {
    await tx.execute('delete from email_templates where tenant_id = ? and template = ?', [sc.tenant.id, template]);
    recordEvent(tx, sc.actor, EmailTemplateEvents.of('email_template.reset', { tenantId: sc.tenant.id, target: { type: 'email_template', id: template }, data: { template } }));
    await tx.flush();
    return view(template, undefined);
  });
}

/**
 * Renders a template with made-up values and the tenant's sender name: the saved one (the
 * tenant's or the default), or a draft sent for preview before saving (checked like a save).
 */
export async function previewTemplate(sc: ServiceContext, template: EmailTemplate, draft?: TemplateSource): Promise<RenderedEmail> {
  await sc.authz.require(READ);
  if (draft) assertValid(template, draft);
  const source = draft ?? (await loadTemplate(sc.em, sc.tenant.id, template));
  const tenant = sc.tenant as typeof sc.tenant & { settings?: Record<string, unknown> };
  const appName = (tenant.settings ? tenantSection({ settings: tenant.settings }, emailTenantSettings).emailSenderName : undefined) ?? sc.tenant.name;
  return renderTemplate(template, source, sampleValues(template, appName));
}
