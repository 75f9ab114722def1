import type { EmailTemplate } from '@plinto/kernel';
import { parseTemplate, renderNodes, type TemplateProblem, type Values } from './template-language';
import { TEMPLATE_VARIABLES } from './variables';
import type { TemplateSource } from './defaults';

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export interface PartProblem extends TemplateProblem {
  /** Which part of the template: subject, text or html. */
  part: keyof TemplateSource;
}

/** Every problem of a template's three parts (unknown variables, unbalanced sections). */
export function checkTemplate(template: EmailTemplate, source: TemplateSource): PartProblem[] {
  const variables = TEMPLATE_VARIABLES[template];
  return (['subject', 'text', 'html'] as const).flatMap((part) => parseTemplate(source[part], variables).problems.map((p) => ({ ...p, part })));
}

/**
 * Renders a checked template. A part whose optional line came out empty loses the blank line
 * (text) or the empty paragraph (HTML); a subject is one line, whatever a value held.
 */
export function renderTemplate(template: EmailTemplate, source: TemplateSource, values: Values): RenderedEmail {
  const variables = TEMPLATE_VARIABLES[template];
  const part = (name: keyof TemplateSource, mode: 'text' | 'html') => renderNodes(parseTemplate(source[name], variables).nodes, values, mode);
  return {
    subject: part('subject', 'text').replace(/[\r\n]+/g, ' ').trim().slice(0, 998),
    text: part('text', 'text').replace(/\n{3,}/g, '\n\n'),
    html: part('html', 'html').replace(/<p>\s*<\/p>\n?/g, ''),
  };
}
