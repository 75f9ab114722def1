import { emailTemplates, recordEvent, type Actor, type EmailTemplate, type EntityManager } from '@plinto/kernel';
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

/** The wording a tenant's message is sent with: its own, else Plinto's. */
export async function loadTemplate(em: EntityManager, tenantId: string, template: EmailTemplate): Promise<TemplateView> {
  const [row] = await em.execute<Row[]>('select template, subject, text_body, html_body, updated_at from email_templates where tenant_id = ? and template = ?', [tenantId, template]);
  return view(template, row);
}

export async function listTemplates(em: EntityManager, tenantId: string): Promise<TemplateView[]> {
  const rows = await em.execute<Row[]>('select template, subject, text_body, html_body, updated_at from email_templates where tenant_id = ?', [tenantId]);
  const byName = new Map(rows.map((r) => [r.template, r]));
  return emailTemplates.map((template) => view(template, byName.get(template)));
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

/** Saves a tenant's wording of one message (checked first), audited. */
export async function saveTemplate(em: EntityManager, actor: Actor, tenantId: string, template: EmailTemplate, source: TemplateSource): Promise<TemplateView> {
  assertValid(template, source);
  return em.transactional(async (tx) => {
    const [row] = await tx.execute<Row[]>(
      `insert into email_templates (tenant_id, template, subject, text_body, html_body, updated_at, updated_by)
       values (?, ?, ?, ?, ?, now(), ?)
       on conflict (tenant_id, template) do update
         set subject = excluded.subject, text_body = excluded.text_body, html_body = excluded.html_body, updated_at = now(), updated_by = excluded.updated_by
       returning template, subject, text_body, html_body, updated_at`,
      [tenantId, template, source.subject, source.text, source.html, actor.id ? `${actor.type}:${actor.id}` : actor.type],
    );
    recordEvent(tx, actor, { action: 'email_template.updated', tenantId, target: { type: 'email_template', id: template }, data: { template } });
    await tx.flush();
    return view(template, row);
  });
}

/** Back to Plinto's default wording, audited (a no-op reset is recorded too: it was asked for). */
export async function resetTemplate(em: EntityManager, actor: Actor, tenantId: string, template: EmailTemplate): Promise<TemplateView> {
  return em.transactional(async (tx) => {
    await tx.execute('delete from email_templates where tenant_id = ? and template = ?', [tenantId, template]);
    recordEvent(tx, actor, { action: 'email_template.reset', tenantId, target: { type: 'email_template', id: template }, data: { template } });
    await tx.flush();
    return view(template, undefined);
  });
}

/**
 * Renders a template with made-up values: the saved one (the tenant's or the default), or a draft
 * sent for preview before saving (checked like a save).
 */
export async function previewTemplate(em: EntityManager, tenantId: string, appName: string, template: EmailTemplate, draft?: TemplateSource): Promise<RenderedEmail> {
  const source = draft ?? (await loadTemplate(em, tenantId, template));
  if (draft) assertValid(template, draft);
  return renderTemplate(template, source, sampleValues(template, appName));
}
