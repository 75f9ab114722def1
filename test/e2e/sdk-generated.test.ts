import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SDK = fileURLToPath(new URL('../../sdk/', import.meta.url));
const bin = (name: string) => join(SDK, 'node_modules/.bin', name);

/** The SDK's generated types are committed: they must match the router and openapi.json they come from. */
describe('the SDK’s generated types', () => {
  it('router.ts matches the api router (`pnpm --filter @plinto/sdk generate`)', () => {
    expect(() => execFileSync(bin('tsx'), ['scripts/router-types.ts', '--check'], { cwd: SDK, stdio: 'pipe' })).not.toThrow();
  }, 180_000);

  it('openapi.ts matches openapi/openapi.json', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'plinto-openapi-ts-')), 'openapi.ts');
    execFileSync(bin('openapi-typescript'), ['../openapi/openapi.json', '-o', out], { cwd: SDK, stdio: 'pipe' });
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(join(SDK, 'src/generated/openapi.ts'), 'utf8'));
  }, 60_000);
});
