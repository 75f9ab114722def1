// Module boundaries (DESIGN.md §1): a module imports another module only through its index.ts
// (package root, or `@plinto/kernel/testing` in tests), never through a relative path that leaves
// the module, and never imports api/ or workers/. Exits 1 listing every violation.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const MODULES = join(ROOT, 'modules');
// testing/context: the operator context alone, for benches that run outside vitest's global setup.
// sdk/token-rules: the dependency-free access-token rules the server's verifier shares with the SDK.
// sdk/policy: the decision semantics the authz engine shares with the SDK's edge evaluator.
const ALLOWED_SUBPATHS = new Set(['@plinto/kernel/testing', '@plinto/kernel/testing/context', '@plinto/sdk/token-rules', '@plinto/sdk/policy']);
const FORBIDDEN_PACKAGES = new Set(['@plinto/api', '@plinto/workers', '@plinto/test', '@plinto/bench', '@plinto/openapi']);
const IMPORT_RE = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;

function* files(dir) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (/\.(ts|tsx|mts|js|mjs)$/.test(name)) yield path;
  }
}

const violations = [];
for (const moduleName of readdirSync(MODULES)) {
  const moduleDir = join(MODULES, moduleName);
  if (!statSync(moduleDir).isDirectory()) continue;
  for (const file of files(moduleDir)) {
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(IMPORT_RE)) {
      const spec = match[1] ?? match[2] ?? match[3];
      const where = relative(ROOT, file);
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec);
        if (!target.startsWith(moduleDir + '/') && target !== moduleDir) violations.push(`${where}: relative import leaves the module: ${spec}`);
        continue;
      }
      const pkg = spec.split('/').slice(0, 2).join('/');
      if (!spec.startsWith('@plinto/')) continue;
      if (FORBIDDEN_PACKAGES.has(pkg)) violations.push(`${where}: modules must not import ${pkg}`);
      else if (spec !== pkg && !ALLOWED_SUBPATHS.has(spec)) violations.push(`${where}: deep import ${spec}; import ${pkg} (its index.ts)`);
      // Inside src/ a self-import through the package name makes an import cycle; tests may use it.
      else if (pkg === `@plinto/${moduleName}` && file.includes('/src/')) violations.push(`${where}: a module imports itself through its package name`);
    }
  }
}

// The apps and test packages may use any module, but also only through its index.ts. The SDK's
// subpaths (@plinto/sdk/server, /edge, …) are its published entry points, so they count as roots.
const isSdkEntry = (spec) => spec.startsWith('@plinto/sdk/');
for (const app of ['api', 'workers', 'test', 'bench', 'openapi']) {
  for (const file of files(join(ROOT, app))) {
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT_RE)) {
      const spec = match[1] ?? match[2] ?? match[3];
      const pkg = spec.split('/').slice(0, 2).join('/');
      if (spec.startsWith('@plinto/') && spec !== pkg && !ALLOWED_SUBPATHS.has(spec) && !isSdkEntry(spec)) {
        violations.push(`${relative(ROOT, file)}: deep import ${spec}; import ${pkg} (its index.ts)`);
      }
    }
  }
}

if (violations.length > 0) {
  console.error(`Module boundary violations:\n  ${violations.join('\n  ')}`);
  process.exit(1);
}
console.log('module boundaries: ok');
