import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchema } from './schema';

/** The committed SDL (api/schema.graphql): what `pnpm graphql:check` compares the schema with. */
export const SDL_PATH = fileURLToPath(new URL('../../schema.graphql', import.meta.url));

export const renderSdl = (): string => `${printSchema(lexicographicSortSchema(buildSchema()))}\n`;

export const committedSdl = (): string => readFileSync(SDL_PATH, 'utf8');
