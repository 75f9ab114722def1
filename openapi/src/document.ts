import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildOpenApiDocument } from '@plinto/api';

export const DOCUMENT_PATH = fileURLToPath(new URL('../openapi.json', import.meta.url));

/** The document exactly as committed: pretty JSON with a trailing newline. */
export const renderDocument = (): string => `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;

export const committedDocument = (): string => readFileSync(DOCUMENT_PATH, 'utf8');
