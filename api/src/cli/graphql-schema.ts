// `pnpm graphql:generate` writes api/schema.graphql from the routers;
// `pnpm graphql:check` fails when the committed SDL differs from what the routers generate.
import { writeFileSync } from 'node:fs';
import { SDL_PATH, committedSdl, renderSdl } from '../graphql/sdl';

const generated = renderSdl();
if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = committedSdl();
  } catch {
    // missing counts as different
  }
  if (committed !== generated) {
    console.error('api/schema.graphql is out of date with the routers: run `pnpm graphql:generate` and commit it.');
    process.exit(1);
  }
  console.log('api/schema.graphql matches the routers');
} else {
  writeFileSync(SDL_PATH, generated);
  console.log(`wrote ${SDL_PATH}`);
}
