/**
 * Writes sdk/src/generated/router.ts: the tRPC router of the api as plain, self-contained types.
 *
 * Why: the router type reached through the server's source drags the whole server (MikroORM,
 * services, zod schemas) into an app's type-check — 36–51 s for a 40-line client, and TS2835 under
 * NodeNext. This walks the router with the compiler and prints each procedure's input and output
 * structurally (no reference to a server type), so the SDK's declarations stand alone.
 * `--check` fails when the committed file differs (the sdk test runs it).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUT = fileURLToPath(new URL('../src/generated/router.ts', import.meta.url));

const configPath = `${ROOT}api/tsconfig.json`;
const parsed = ts.parseJsonConfigFileContent(ts.readConfigFile(configPath, ts.sys.readFile).config, ts.sys, `${ROOT}api`);
const program = ts.createProgram({ rootNames: [`${ROOT}api/src/router.ts`], options: { ...parsed.options, noEmit: true } });
const checker = program.getTypeChecker();
const source = program.getSourceFile(`${ROOT}api/src/router.ts`)!;
const routerSymbol = checker.getExportsOfModule(checker.getSymbolAtLocation(source)!).find((s) => s.name === 'appRouter')!;
const routerType = checker.getTypeOfSymbol(routerSymbol);

const prop = (type: ts.Type, name: string): ts.Type | undefined => {
  const symbol = checker.getPropertyOfType(type, name);
  return symbol ? checker.getTypeOfSymbol(symbol) : undefined;
};

const PASSTHROUGH = new Set(['Date', 'Uint8Array', 'ArrayBuffer', 'URL', 'RegExp']);

/** Prints `type` structurally; named library types (Date, arrays, maps) keep their global names. */
function print(type: ts.Type, indent: string, seen: Set<ts.Type>): string {
  const f = type.flags;
  if (f & ts.TypeFlags.Any) return 'any';
  if (f & ts.TypeFlags.Unknown) return 'unknown';
  if (f & ts.TypeFlags.Never) return 'never';
  if (f & (ts.TypeFlags.String | ts.TypeFlags.Number | ts.TypeFlags.Boolean | ts.TypeFlags.BigInt | ts.TypeFlags.Null | ts.TypeFlags.Undefined | ts.TypeFlags.Void | ts.TypeFlags.ESSymbol)) {
    return checker.typeToString(type);
  }
  if (f & (ts.TypeFlags.StringLiteral | ts.TypeFlags.NumberLiteral | ts.TypeFlags.BooleanLiteral | ts.TypeFlags.BigIntLiteral)) return checker.typeToString(type);
  if (f & ts.TypeFlags.TemplateLiteral) return checker.typeToString(type);
  if (type.isUnion()) {
    const parts = type.types.map((t) => print(t, indent, seen));
    // `boolean` is `false | true` inside the checker.
    const joined = parts.includes('false') && parts.includes('true') ? ['boolean', ...parts.filter((p) => p !== 'false' && p !== 'true')] : parts;
    return [...new Set(joined)].map((p) => (p.includes('=>') ? `(${p})` : p)).join(' | ');
  }
  if (type.isIntersection()) return type.types.map((t) => `(${print(t, indent, seen)})`).join(' & ');
  if (f & ts.TypeFlags.Object) {
    const name = type.getSymbol()?.getName();
    if (name && PASSTHROUGH.has(name)) return name;
    if (checker.isArrayType(type)) return `Array<${print(checker.getTypeArguments(type as ts.TypeReference)[0]!, indent, seen)}>`;
    if (checker.isTupleType(type)) return `[${checker.getTypeArguments(type as ts.TypeReference).map((t) => print(t, indent, seen)).join(', ')}]`;
    if (name === 'Map' || name === 'Set' || name === 'AsyncGenerator' || name === 'AsyncIterable' || name === 'AsyncIterableIterator') {
      const args = checker.getTypeArguments(type as ts.TypeReference).map((t) => print(t, indent, seen));
      return name.startsWith('Async') ? `AsyncIterable<${args[0] ?? 'unknown'}>` : `${name}<${args.join(', ')}>`;
    }
    if (type.getCallSignatures().length > 0) return 'unknown';
    if (seen.has(type)) return 'unknown';
    const next = new Set(seen).add(type);
    const inner = `${indent}  `;
    const lines: string[] = [];
    const stringIndex = checker.getIndexTypeOfType(type, ts.IndexKind.String);
    if (stringIndex) lines.push(`${inner}[key: string]: ${print(stringIndex, inner, next)};`);
    for (const symbol of checker.getPropertiesOfType(type)) {
      const optional = symbol.flags & ts.SymbolFlags.Optional ? '?' : '';
      const key = /^[A-Za-z_$][\w$]*$/.test(symbol.name) ? symbol.name : JSON.stringify(symbol.name);
      lines.push(`${inner}${key}${optional}: ${print(checker.getTypeOfSymbol(symbol), inner, next)};`);
    }
    return lines.length === 0 ? (stringIndex ? '{}' : 'Record<string, never>') : `{\n${lines.join('\n')}\n${indent}}`;
  }
  return 'unknown';
}

const KINDS = { query: 'TRPCQueryProcedure', mutation: 'TRPCMutationProcedure', subscription: 'TRPCSubscriptionProcedure' } as const;

/** A router record: procedures become TRPC*Procedure<{input, output, meta}>, sub-records recurse. */
function printRecord(record: ts.Type, indent: string): string {
  const inner = `${indent}  `;
  const lines = checker.getPropertiesOfType(record).map((symbol) => {
    const value = checker.getTypeOfSymbol(symbol);
    const def = prop(value, '_def');
    const kind = def && prop(def, 'type');
    const key = /^[A-Za-z_$][\w$]*$/.test(symbol.name) ? symbol.name : JSON.stringify(symbol.name);
    if (def && kind && kind.isStringLiteral()) {
      const types = prop(def, '$types')!;
      const procedure = KINDS[kind.value as keyof typeof KINDS];
      const input = print(prop(types, 'input')!, `${inner}  `, new Set());
      const output = print(prop(types, 'output')!, `${inner}  `, new Set());
      return `${inner}${key}: ${procedure}<{\n${inner}  input: ${input};\n${inner}  output: ${output};\n${inner}  meta: object;\n${inner}}>;`;
    }
    const nested = def ? prop(def, 'record')! : value;
    return `${inner}${key}: ${printRecord(nested, inner)};`;
  });
  return `{\n${lines.join('\n')}\n${indent}}`;
}

const def = prop(routerType, '_def')!;
const record = prop(def, 'record')!;
const errorShape = prop(prop(prop(prop(def, '_config')!, '$types')!, 'errorShape') ?? checker.getAnyType(), 'data');
const text = `// Generated by sdk/scripts/router-types.ts from api/src/router.ts — do not edit.
// \`pnpm --filter @plinto/sdk generate\` rewrites it; the sdk tests fail when it is out of date.
/* eslint-disable */
import type { TRPCBuiltRouter, TRPCMutationProcedure, TRPCQueryProcedure, TRPCSubscriptionProcedure } from '@trpc/server';

/** \`error.data\` of a TRPCClientError from Plinto: the machine-readable code and the fields at fault. */
export type PlintoErrorData = ${errorShape ? print(errorShape, '', new Set()) : 'Record<string, unknown>'};

export type PlintoErrorShape = {
  message: string;
  code: number;
  data: PlintoErrorData;
};

export type AppRouterRecord = ${printRecord(record, '')};

/** The api's tRPC router, as a client sees it (superjson transformer). */
export type AppRouter = TRPCBuiltRouter<{ ctx: object; meta: object; errorShape: PlintoErrorShape; transformer: true }, AppRouterRecord>;
`;

if (process.argv.includes('--check')) {
  if (readFileSync(OUT, 'utf8') !== text) {
    console.error('sdk/src/generated/router.ts is out of date with the api router: run `pnpm --filter @plinto/sdk generate`.');
    process.exit(1);
  }
  console.log('sdk/src/generated/router.ts matches the api router');
} else {
  writeFileSync(OUT, text);
  console.log(`wrote ${OUT}`);
}
