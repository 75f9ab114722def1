import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { eventCatalog } from '@plinto/platform';

const MODULES = fileURLToPath(new URL('../../modules/', import.meta.url));

function* sources(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'test') continue;
    if (statSync(path).isDirectory()) yield* sources(path);
    else if (path.endsWith('.ts')) yield path;
  }
}

describe('the event catalog', () => {
  it('declares every event the code records, with a description and a data schema (one source for audit, webhooks, OpenAPI)', () => {
    const recorded = new Set<string>();
    for (const file of sources(MODULES)) {
      for (const match of readFileSync(file, 'utf8').matchAll(/Events\.of\(\s*'([a-z_]+(?:\.[a-z_]+)+)'/g)) recorded.add(match[1]!);
    }
    expect(recorded.size).toBeGreaterThan(30);
    const missing = [...recorded].filter((action) => !eventCatalog.has(action)).sort();
    expect(missing).toEqual([]);
    for (const spec of eventCatalog.list()) {
      expect(spec.description.length, spec.type).toBeGreaterThan(5);
      expect(z.toJSONSchema(spec.data, { io: 'output', unrepresentable: 'any' }), spec.type).toBeTruthy();
    }
  });
});
