/**
 * The language of email templates: a small, logic-less subset of Mustache.
 *
 *   {{name}}                 the variable's value (HTML-escaped in the HTML body)
 *   {{#name}} … {{/name}}    the inside, when the variable has a value
 *   {{^name}} … {{/name}}    the inside, when it has none
 *
 * Nothing else: no partials, no raw output, no expressions — a tenant admin cannot make a
 * template run code or emit unescaped HTML from a variable. Parsing checks that every variable is
 * one the message offers and that sections are balanced, so a broken template is refused when it
 * is saved, not when an email is due.
 */
export type Node = { kind: 'text'; text: string } | { kind: 'var'; name: string } | { kind: 'section'; name: string; inverted: boolean; body: Node[] };

export interface TemplateProblem {
  message: string;
  /** The unknown variable, when that is the problem. */
  variable?: string;
}

const TAG = /\{\{\s*([#^/]?)\s*([A-Za-z][A-Za-z0-9_]*)?\s*\}\}/g;

export function parseTemplate(source: string, variables: readonly string[]): { nodes: Node[]; problems: TemplateProblem[] } {
  const problems: TemplateProblem[] = [];
  const known = new Set(variables);
  const root: Node[] = [];
  const stack: { name: string; body: Node[] }[] = [];
  const current = () => stack.at(-1)?.body ?? root;
  let at = 0;
  for (const match of source.matchAll(TAG)) {
    if (match.index > at) current().push({ kind: 'text', text: source.slice(at, match.index) });
    at = match.index + match[0].length;
    const [, sigil, name] = match;
    if (!name) {
      problems.push({ message: `"${match[0]}" names no variable` });
      continue;
    }
    if (!known.has(name)) problems.push({ message: `unknown variable "${name}" (this message offers ${variables.join(', ') || 'none'})`, variable: name });
    if (sigil === '#' || sigil === '^') {
      const section: Node = { kind: 'section', name, inverted: sigil === '^', body: [] };
      current().push(section);
      stack.push({ name, body: section.body });
    } else if (sigil === '/') {
      const open = stack.pop();
      if (!open || open.name !== name) problems.push({ message: `"{{/${name}}}" closes ${open ? `"{{#${open.name}}}"` : 'nothing'}` });
    } else {
      current().push({ kind: 'var', name });
    }
  }
  if (at < source.length) current().push({ kind: 'text', text: source.slice(at) });
  // `{{` left over is almost always a typo in a tag: say so rather than send it.
  for (const node of flatten(root)) if (node.kind === 'text' && node.text.includes('{{')) problems.push({ message: 'a "{{" that is not a valid tag' });
  for (const open of stack) problems.push({ message: `"{{#${open.name}}}" is never closed` });
  return { nodes: root, problems };
}

function* flatten(nodes: Node[]): Generator<Node> {
  for (const node of nodes) {
    yield node;
    if (node.kind === 'section') yield* flatten(node.body);
  }
}

const escapeHtml = (value: string) =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export type Values = Record<string, string | number | null | undefined>;

const present = (value: Values[string]) => value !== undefined && value !== null && value !== '';

export function renderNodes(nodes: Node[], values: Values, mode: 'text' | 'html'): string {
  let out = '';
  for (const node of nodes) {
    if (node.kind === 'text') out += node.text;
    else if (node.kind === 'var') out += present(values[node.name]) ? (mode === 'html' ? escapeHtml(String(values[node.name])) : String(values[node.name])) : '';
    else if (present(values[node.name]) !== node.inverted) out += renderNodes(node.body, values, mode);
  }
  return out;
}
