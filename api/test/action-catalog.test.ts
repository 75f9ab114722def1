import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { eventTypeCatalog } from '@plinto/kernel';
import { appRouter } from '@plinto/api';

const MODULES = fileURLToPath(new URL('../../modules/', import.meta.url));

function* sources(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'test') continue;
    if (statSync(path).isDirectory()) yield* sources(path);
    else if (path.endsWith('.ts')) yield path;
  }
}

describe('the action catalog', () => {
  it('declares every action the code records, with a description (one source for audit and webhooks)', () => {
    expect(appRouter).toBeTruthy(); // importing the api loads every module's declarations
    const declared = new Map(eventTypeCatalog().map((t) => [t.type, t]));
    const recorded = new Set<string>();
    for (const file of sources(MODULES)) {
      for (const match of readFileSync(file, 'utf8').matchAll(/action: '([a-z_]+(?:\.[a-z_]+)+)'/g)) recorded.add(match[1]!);
    }
    expect(recorded.size).toBeGreaterThan(30);
    const missing = [...recorded].filter((action) => !declared.has(action)).sort();
    expect(missing).toEqual([]);
    for (const action of recorded) expect(declared.get(action)!.description.length, action).toBeGreaterThan(5);
  });
});
