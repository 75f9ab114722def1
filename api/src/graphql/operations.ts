import { z } from 'zod';
import type { PlintoMeta } from '@plinto/kernel';
import { appRouter } from '../router';
import type { JsonSchema } from './json-types';

/**
 * The GraphQL operations: one per procedure that REST serves (the OpenAPI document's operations),
 * named after its tRPC path in camelCase (`orgs.listMembers` → `orgsListMembers`), a query for a
 * tRPC query and a mutation for a tRPC mutation. Its arguments are the procedure's input fields,
 * its type the procedure's output: the same zod schemas REST and tRPC validate with.
 */
export interface Operation {
  path: string;
  field: string;
  kind: 'query' | 'mutation';
  meta: PlintoMeta;
  input: JsonSchema;
  output: JsonSchema;
  /** A keyset page (`{ items, nextCursor }` taking `limit`/`cursor`): exposed as a Relay connection. */
  paged: boolean;
}

interface ProcedureDef {
  type: 'query' | 'mutation' | 'subscription';
  meta?: PlintoMeta;
  inputs: z.ZodType[];
  output?: z.ZodType;
}

export const fieldNameOf = (path: string) =>
  path
    .split('.')
    .map((part, i) => (i === 0 ? part : part[0]!.toUpperCase() + part.slice(1)))
    .join('');

const jsonSchema = (schema: z.ZodType | undefined, io: 'input' | 'output'): JsonSchema =>
  schema ? (z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema) : {};

export function operations(): Operation[] {
  const procedures = appRouter._def.procedures as unknown as Record<string, { _def: ProcedureDef }>;
  const list: Operation[] = [];
  for (const [path, { _def }] of Object.entries(procedures)) {
    if (!_def.meta?.openapi || _def.type === 'subscription') continue;
    const input = _def.inputs.length ? jsonSchema(_def.inputs.length === 1 ? _def.inputs[0] : z.intersection(_def.inputs[0]!, _def.inputs[1]!), 'input') : {};
    const output = jsonSchema(_def.output, 'output');
    const paged = Boolean(output.properties?.items && output.properties.nextCursor && input.properties?.limit && 'cursor' in (input.properties ?? {}));
    list.push({ path, field: fieldNameOf(path), kind: _def.type, meta: _def.meta, input, output, paged });
  }
  return list;
}
