import {
  GraphQLBoolean,
  GraphQLFloat,
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLScalarType,
  GraphQLString,
  type GraphQLFieldConfigMap,
  type GraphQLInputFieldConfigMap,
  type GraphQLInputType,
  type GraphQLInterfaceType,
  type GraphQLOutputType,
} from 'graphql';

/**
 * GraphQL types from the JSON Schema of a procedure's zod input or output (`z.toJSONSchema`), so
 * GraphQL answers with exactly the shape REST and tRPC answer with. Named zod schemas
 * (`.meta({ id })`) become named GraphQL types shared by every operation that uses them; other
 * objects are named after where they appear. What GraphQL cannot express field by field (records,
 * unions of objects, free-form data) is the `JSON` scalar.
 */
export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  description?: string;
  minimum?: number;
  maximum?: number;
  additionalProperties?: unknown;
  const?: unknown;
  enum?: unknown[];
};

export const JSONScalar = new GraphQLScalarType({
  name: 'JSON',
  description: 'Any JSON value (free-form data such as metadata, or a shape that varies)',
  serialize: (value) => (value === undefined ? null : JSON.parse(JSON.stringify(value))),
  parseValue: (value) => value,
  parseLiteral: () => {
    throw new TypeError('Pass JSON values through variables');
  },
});

/** Integers beyond GraphQL's 32-bit Int (counts, epoch milliseconds): a JSON number up to 2^53. */
export const SafeIntScalar = new GraphQLScalarType({
  name: 'SafeInt',
  description: 'An integer between -(2^53-1) and 2^53-1',
  serialize: (value) => value,
  parseValue: (value) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new TypeError('SafeInt must be a safe integer');
    return value;
  },
  parseLiteral: (ast) => {
    if (ast.kind !== 'IntValue') throw new TypeError('SafeInt must be an integer');
    return Number(ast.value);
  },
});

const VALID_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;
const INT32 = 2 ** 31;

export const pascal = (text: string) =>
  text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');

/** Extra fields a named output type gets (node id, relationships), and the interfaces it implements. */
export interface TypeExtension {
  interfaces?: () => GraphQLInterfaceType[];
  fields?: () => GraphQLFieldConfigMap<any, any>;
}

export class TypeFactory {
  private readonly outputs = new Map<string, GraphQLOutputType>();
  private readonly inputs = new Map<string, GraphQLInputType>();

  constructor(private readonly extensions: Record<string, TypeExtension> = {}) {}

  /** The named output type `name`, once built. */
  named(name: string): GraphQLObjectType | undefined {
    const type = this.outputs.get(name);
    return type instanceof GraphQLObjectType ? type : undefined;
  }

  /** The named output type `name`; throws when no operation produced it (a renamed zod schema). */
  required(name: string): GraphQLObjectType {
    const type = this.named(name);
    if (!type) throw new Error(`GraphQL schema: no operation outputs the type ${name}`);
    return type;
  }

  /** Nullability comes from the schema: `required` (set by the caller) and `null` in its type. */
  output(schema: JsonSchema, defs: Record<string, JsonSchema>, hint: string, required = true): GraphQLOutputType {
    const { inner, nullable } = unwrapNull(schema);
    const type = this.outputNullable(inner, defs, hint);
    return required && !nullable ? new GraphQLNonNull(type) : type;
  }

  input(schema: JsonSchema, defs: Record<string, JsonSchema>, hint: string, required = true): GraphQLInputType {
    const { inner, nullable } = unwrapNull(schema);
    const type = this.inputNullable(inner, defs, hint);
    return required && !nullable ? new GraphQLNonNull(type) : type;
  }

  private outputNullable(schema: JsonSchema, defs: Record<string, JsonSchema>, hint: string): Exclude<GraphQLOutputType, GraphQLNonNull<any>> {
    if (schema.$ref) {
      const name = refName(schema.$ref);
      return this.outputNullable(defs[name] ?? {}, defs, name) as never;
    }
    const scalar = scalarOf(schema);
    if (scalar) return scalar;
    if (schema.type === 'array' && schema.items) return new GraphQLList(this.output(schema.items, defs, `${hint}Item`)) as never;
    if (!isObjectWithFields(schema)) return JSONScalar;
    const name = pascal(hint);
    const existing = this.outputs.get(name);
    if (existing) return existing as never;
    const extension = this.extensions[name];
    const type: GraphQLObjectType = new GraphQLObjectType({
      name,
      description: schema.description,
      interfaces: extension?.interfaces,
      fields: () => ({
        ...Object.fromEntries(
          Object.entries(schema.properties!).map(([field, property]) => [
            field,
            { type: this.output(property, defs, `${name}${pascal(field)}`, schema.required?.includes(field) ?? false), description: property.description },
          ]),
        ),
        ...extension?.fields?.(),
      }),
    });
    this.outputs.set(name, type);
    return type;
  }

  private inputNullable(schema: JsonSchema, defs: Record<string, JsonSchema>, hint: string): Exclude<GraphQLInputType, GraphQLNonNull<any>> {
    if (schema.$ref) {
      const name = refName(schema.$ref);
      return this.inputNullable(defs[name] ?? {}, defs, name) as never;
    }
    const scalar = scalarOf(schema);
    if (scalar) return scalar;
    if (schema.type === 'array' && schema.items) return new GraphQLList(this.input(schema.items, defs, `${hint}Item`)) as never;
    if (!isObjectWithFields(schema)) return JSONScalar;
    const name = `${pascal(hint)}Input`;
    const existing = this.inputs.get(name);
    if (existing) return existing as never;
    const type: GraphQLInputObjectType = new GraphQLInputObjectType({
      name,
      description: schema.description,
      fields: () => this.inputFields(schema, defs, pascal(hint)),
    });
    this.inputs.set(name, type);
    return type;
  }

  /** An object's properties as input fields (also the arguments of an operation). */
  inputFields(schema: JsonSchema, defs: Record<string, JsonSchema>, hint: string): GraphQLInputFieldConfigMap {
    return Object.fromEntries(
      Object.entries(schema.properties ?? {}).map(([field, property]) => [
        field,
        {
          type: this.input(property, defs, `${hint}${pascal(field)}`, (schema.required?.includes(field) ?? false) && !('default' in property)),
          description: property.description,
        },
      ]),
    );
  }
}

const refName = (ref: string) => ref.replace(/^#\/\$defs\//, '');

function unwrapNull(schema: JsonSchema): { inner: JsonSchema; nullable: boolean } {
  if (Array.isArray(schema.type) && schema.type.includes('null')) {
    const rest = schema.type.filter((t) => t !== 'null');
    return { inner: { ...schema, type: rest.length === 1 ? rest[0] : rest }, nullable: true };
  }
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants?.some((v) => v.type === 'null')) {
    const rest = variants.filter((v) => v.type !== 'null');
    return { inner: rest.length === 1 ? { description: schema.description, ...rest[0]! } : { anyOf: rest }, nullable: true };
  }
  return { inner: schema, nullable: false };
}

function scalarOf(schema: JsonSchema): GraphQLScalarType | undefined {
  const variants = schema.anyOf ?? schema.oneOf;
  // A union of one scalar kind (two string formats, say) is that scalar.
  if (variants && variants.length > 0) {
    const kinds = new Set(variants.map((v) => v.type));
    return kinds.size === 1 && typeof variants[0]!.type === 'string' && variants[0]!.type !== 'object' && variants[0]!.type !== 'array' ? scalarOf(variants[0]!) : undefined;
  }
  switch (schema.type) {
    case 'string':
      return GraphQLString;
    case 'boolean':
      return GraphQLBoolean;
    case 'number':
      return GraphQLFloat;
    case 'integer':
      return schema.minimum !== undefined && schema.maximum !== undefined && schema.minimum >= -INT32 && schema.maximum < INT32 ? GraphQLInt : SafeIntScalar;
    default:
      return undefined;
  }
}

function isObjectWithFields(schema: JsonSchema): boolean {
  if (schema.type !== 'object' || !schema.properties) return false;
  const names = Object.keys(schema.properties);
  return names.length > 0 && names.every((n) => VALID_NAME.test(n));
}
