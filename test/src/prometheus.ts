/** Samples of a Prometheus text exposition: `name{a="1",b="2"}` (labels sorted) → value. */
export type Samples = Map<string, number>;

export async function scrape(url: string): Promise<Samples> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  const samples: Samples = new Map();
  for (const line of (await response.text()).split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels = [...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map(([, k, v]) => `${k}="${v}"`).sort();
    samples.set(key(match[1]!, labels), Number(match[3]));
  }
  return samples;
}

const key = (name: string, labels: string[]) => (labels.length ? `${name}{${labels.join(',')}}` : name);

/** One sample's value (0 when absent), e.g. `sample(s, 'plinto_auth_lockouts_total')`. */
export function sample(samples: Samples, name: string, labels: Record<string, string> = {}): number {
  return samples.get(key(name, Object.entries(labels).map(([k, v]) => `${k}="${v}"`).sort())) ?? 0;
}

/** Whether any sample of `name` exists (with these labels among its own). */
export function has(samples: Samples, name: string, labels: Record<string, string> = {}): boolean {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  return [...samples.keys()].some((k) => (k === name || k.startsWith(`${name}{`)) && wanted.every((w) => k.includes(w)));
}

/** How much a sample moved between two scrapes. */
export const moved = (before: Samples, after: Samples, name: string, labels: Record<string, string> = {}) => sample(after, name, labels) - sample(before, name, labels);
