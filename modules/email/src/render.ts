import type { EmailTemplate } from '@plinto/kernel';
import { parseTemplate, renderNodes, type Node, type TemplateProblem, type Values } from './template-language';
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
  const part = (name: keyof TemplateSource, mode: 'text' | 'html') => renderNodes(parsed(template, source[name]), values, mode);
  return {
    subject: part('subject', 'text').replace(/[\r\n]+/g, ' ').trim().slice(0, 998),
    text: part('text', 'text').replace(/\n{3,}/g, '\n\n'),
    html: part('html', 'html').replace(/<p>\s*<\/p>\n?/g, ''),
  };
}

/**
 * A part's parsed form, kept by its text: a burst of invitations renders the same template
 * thousands of times, and parsing was most of each render. An edited template is new text, so it is
 * parsed afresh; bounded, as tenants may each have their own wording.
 */
const parsedParts = new Map<string, Node[]>();
const MAX_PARSED_PARTS = 2_000;

function parsed(template: EmailTemplate, text: string): Node[] {
  const key = `${template}\u0000${text}`;
  let nodes = parsedParts.get(key);
  if (!nodes) {
    nodes = parseTemplate(text, TEMPLATE_VARIABLES[template]).nodes;
    if (parsedParts.size >= MAX_PARSED_PARTS) parsedParts.clear();
    parsedParts.set(key, nodes);
  }
  return nodes;
}
