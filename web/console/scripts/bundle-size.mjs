// Prints the built console's size (raw and gzip) and fails the build when gzip exceeds the budget
// written in the README ("Admin console"), so growth is a decision, not an accident.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET_GZIP_BYTES = 400 * 1024;
const dir = new URL('../dist/assets/', import.meta.url).pathname;
let raw = 0;
let gzip = 0;
for (const name of readdirSync(dir)) {
  if (!/\.(js|css)$/.test(name)) continue;
  const bytes = readFileSync(join(dir, name));
  raw += statSync(join(dir, name)).size;
  gzip += gzipSync(bytes, { level: 9 }).length;
}
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`admin console bundle: ${kib(raw)} raw, ${kib(gzip)} gzip (budget ${kib(BUDGET_GZIP_BYTES)} gzip)`);
if (gzip > BUDGET_GZIP_BYTES) {
  console.error('admin console bundle is over its gzip budget');
  process.exit(1);
}
