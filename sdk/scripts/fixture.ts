/**
 * The fixture app (sdk/test/fixture) as a user would set it up: build the SDK, `pnpm pack` it,
 * install the tarball into a fresh directory outside the workspace (from the local pnpm store,
 * offline), and type-check the app under NodeNext and Bundler resolution. Used by
 * test/e2e/sdk-package.test.ts and by the bench (type-check time).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SDK = fileURLToPath(new URL('..', import.meta.url));
const FIXTURE = join(SDK, 'test/fixture');

const run = (command: string, args: string[], cwd: string) => execFileSync(command, args, { cwd, stdio: 'pipe', encoding: 'utf8', env: { ...process.env, CI: '1' } });

export interface Fixture {
  dir: string;
  tarball: string;
}

export function prepareFixture(): Fixture {
  run(join(SDK, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json'], SDK);
  const packs = mkdtempSync(join(tmpdir(), 'plinto-sdk-pack-'));
  run('pnpm', ['pack', '--pack-destination', packs], SDK);
  const tarball = join(packs, readdirSync(packs).find((f) => f.endsWith('.tgz'))!);
  const dir = mkdtempSync(join(tmpdir(), 'plinto-sdk-fixture-'));
  cpSync(FIXTURE, dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'plinto-sdk-fixture', private: true, type: 'module', dependencies: { '@plinto/sdk': `file:${tarball}`, typescript: '5.9.3' } }, null, 2),
  );
  try {
    run('pnpm', ['install', '--offline', '--ignore-workspace', '--config.confirmModulesPurge=false'], dir);
  } catch {
    // The store has the packages but not always their registry metadata (ERR_PNPM_NO_OFFLINE_META):
    // then let pnpm ask the registry for it, still taking the packages from the store.
    run('pnpm', ['install', '--prefer-offline', '--ignore-workspace', '--config.confirmModulesPurge=false'], dir);
  }
  return { dir, tarball };
}

/** Type-checks the fixture with one of its tsconfigs; returns the wall time in ms (throws on errors). */
export function typecheckFixture(fixture: Fixture, config: 'nodenext' | 'bundler'): number {
  const started = performance.now();
  run(join(fixture.dir, 'node_modules/.bin/tsc'), ['-p', `tsconfig.${config}.json`], fixture.dir);
  return performance.now() - started;
}
