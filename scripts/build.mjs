// `pnpm build` (through turbo, per package): bundles a process's entry points into plain JavaScript
// with esbuild, so production runs `node api/dist/main.js` — no TypeScript compiler, no tsx, no
// install at boot. Plinto's own modules (consumed as TypeScript source through their index.ts) are
// bundled in; third-party packages stay external and are loaded from node_modules as usual.
//
// Every external package must be a dependency of the package being built (its node_modules is
// where the bundle looks them up) and resolve to the very copy the importing module resolves —
// one instance of MikroORM, zod, tRPC... — else the build fails naming the package to add.
// Files a module reads next to itself (`new URL('./x.txt', import.meta.url)`) are copied beside
// the bundle, where the same expression finds them.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const TARGETS = {
  api: { main: 'api/src/main.ts', migrate: 'api/src/cli/migrate.ts', 'audit-verify': 'api/src/cli/audit-verify.ts' },
  workers: { main: 'workers/src/main.ts' },
};

const target = process.argv[2];
// `--outdir <dir>` (inside the package, so its node_modules is found): the test run's own copy,
// which a concurrent `pnpm build` replacing dist/ cannot pull from under a running process.
const outdirFlag = process.argv.indexOf('--outdir');
if (!TARGETS[target] || (outdirFlag !== -1 && !process.argv[outdirFlag + 1])) {
  console.error(`usage: node scripts/build.mjs <${Object.keys(TARGETS).join('|')}> [--outdir <dir>]`);
  process.exit(2);
}
const packageDir = join(ROOT, target);
const outdir = outdirFlag === -1 ? join(packageDir, 'dist') : resolve(process.argv[outdirFlag + 1]);
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const packageName = (spec) => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');

const assets = new Map();
const ASSET_RE = /new URL\(\s*['"](\.\/[^'"]+)['"]\s*,\s*import\.meta\.url\s*\)/g;

/** Bare imports of third-party packages stay external; @plinto/* and relative imports are bundled. */
const externals = {
  name: 'plinto-externals',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.kind === 'entry-point' || builtins.has(args.path) || args.path.startsWith('@plinto/')) return undefined;
      return { path: args.path, external: true };
    });
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      for (const [, relative] of source.matchAll(ASSET_RE)) {
        const file = resolve(dirname(args.path), relative);
        const name = basename(relative);
        if (assets.has(name) && assets.get(name) !== file) throw new Error(`two assets named ${name}: ${assets.get(name)} and ${file}`);
        assets.set(name, file);
      }
      return undefined;
    });
  },
};

rmSync(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: Object.fromEntries(Object.entries(TARGETS[target]).map(([name, file]) => [name, join(ROOT, file)])),
  outdir,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  sourcemap: true,
  // Stack traces name the source files; the bundle stays readable for an operator.
  minify: false,
  metafile: true,
  absWorkingDir: ROOT,
  logLevel: 'warning',
  plugins: [externals],
  tsconfig: join(packageDir, 'tsconfig.json'),
});

/** Where a bare package name resolves from `dir` (Node's node_modules walk), or null. */
function packageFrom(dir, name) {
  for (let current = dir; ; current = dirname(current)) {
    const candidate = join(current, 'node_modules', name, 'package.json');
    if (existsSync(candidate)) return realpathSync(dirname(candidate));
    if (dirname(current) === current) return null;
  }
}

const problems = new Set();
const checked = new Set();
for (const [input, meta] of Object.entries(result.metafile.inputs)) {
  for (const imported of meta.imports) {
    if (!imported.external || builtins.has(imported.path)) continue;
    const name = packageName(imported.path);
    const key = `${dirname(input)}|${name}`;
    if (checked.has(key)) continue;
    checked.add(key);
    const wanted = packageFrom(dirname(join(ROOT, input)), name);
    const found = packageFrom(packageDir, name);
    if (!found) problems.add(`${name} is not a dependency of ${target}/package.json (${input.split('/src/')[0]} uses it)`);
    else if (wanted && wanted !== found) problems.add(`${name}: ${input} uses ${wanted} but ${target}/ resolves ${found} (align the versions)`);
  }
}
if (problems.size > 0) {
  console.error(`build ${target}: the bundle would not find its packages:\n  ${[...problems].join('\n  ')}`);
  process.exit(1);
}

mkdirSync(outdir, { recursive: true });
for (const [name, file] of assets) copyFileSync(file, join(outdir, name));
console.log(`built ${target}: ${Object.keys(TARGETS[target]).map((n) => relative(ROOT, join(outdir, `${n}.js`))).join(', ')}${assets.size ? ` (+ ${[...assets.keys()].join(', ')})` : ''}`);
