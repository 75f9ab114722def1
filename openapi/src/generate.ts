// `pnpm openapi:generate` writes openapi/openapi.json from the routers;
// `pnpm openapi:check` fails when the committed document differs from what the routers generate.
import { writeFileSync } from 'node:fs';
import { DOCUMENT_PATH, committedDocument, renderDocument } from './document';

const generated = renderDocument();
if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = committedDocument();
  } catch {
    // missing counts as different
  }
  if (committed !== generated) {
    console.error('openapi/openapi.json is out of date with the routers: run `pnpm openapi:generate` and commit it.');
    process.exit(1);
  }
  console.log('openapi/openapi.json matches the routers');
} else {
  writeFileSync(DOCUMENT_PATH, generated);
  console.log(`wrote ${DOCUMENT_PATH}`);
}
