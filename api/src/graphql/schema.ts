import {
  GraphQLBoolean,
  GraphQLID,
  GraphQLInt,
  GraphQLInterfaceType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  type GraphQLFieldConfig,
  type GraphQLFieldConfigArgumentMap,
  type GraphQLFieldConfigMap,
  type GraphQLOutputType,
} from 'graphql';
import { CommonErrors, encodeCursor } from '@plinto/kernel';
import { operations, type Operation } from './operations';
import { pascal, TypeFactory, type JsonSchema, type TypeExtension } from './json-types';
import type { GraphQLContext } from './context';
import { toGraphQLError } from './errors';
import { decodeNodeId, NODE_TYPES, nodeIdOf } from './nodes';

type Page = { items: Record<string, unknown>[]; nextCursor: string | null };

const PageInfo = new GraphQLObjectType({
  name: 'PageInfo',
  fields: {
    hasNextPage: { type: new GraphQLNonNull(GraphQLBoolean) },
    endCursor: { type: GraphQLString, description: 'Pass as `after` to fetch the next page; null on the last page' },
  },
});

/**
 * The schema: every REST operation as a query or mutation (see operations.ts), keyset pages as
 * Relay connections, the `Node` interface over the types a get operation can fetch again, and the
 * relationships between them, loaded per request in batches.
 */
export function buildSchema(): GraphQLSchema {
  const ops = operations();
  const byPath = new Map(ops.map((op) => [op.path, op]));
  const connections = new Map<string, GraphQLObjectType>();

  const Node: GraphQLInterfaceType = new GraphQLInterfaceType({
    name: 'Node',
    description: 'An object that `node(nodeId)` can fetch again (Relay: configure `nodeInterfaceIdField: "nodeId"`)',
    fields: { nodeId: { type: new GraphQLNonNull(GraphQLID) } },
    resolveType: (value: Record<string, unknown>) => NODE_TYPE_OF.get(value),
  });
  const NODE_TYPE_OF = new WeakMap<object, string>();

  const nodeField = (typeName: string): GraphQLFieldConfigMap<any, any> => ({
    nodeId: { type: new GraphQLNonNull(GraphQLID), description: 'The global id of this object, for `node(nodeId)`', resolve: (obj) => nodeIdOf(typeName, obj) },
  });

  // Relationships, resolved through the request's loaders or the same procedures.
  const orgConnections = (): GraphQLFieldConfigMap<{ id: string }, GraphQLContext> => ({
    members: nestedConnection('orgs.listMembers', (org) => ({ orgId: org.id })),
    teams: nestedConnection('orgs.listTeams', (org) => ({ orgId: org.id })),
  });
  const extensions: Record<string, TypeExtension> = {
    Organization: { interfaces: () => [Node], fields: () => ({ ...nodeField('Organization'), ...orgConnections() }) },
    OrganizationListItem: { interfaces: () => [Node], fields: () => ({ ...nodeField('Organization'), ...orgConnections() }) },
    OrganizationMember: {
      fields: () => ({
        user: { type: factory.required('User'), description: 'The user (needs users:read)', resolve: (m: { userId: string }, _a, ctx: GraphQLContext) => ctx.loaders.users.load(m.userId) },
        teams: {
          type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(factory.required('Team')))),
          description: "The member's teams in the organization (needs teams:read there)",
          resolve: (m: { organizationId: string; userId: string }, _a, ctx: GraphQLContext) => ctx.loaders.teamsOfMember.load(`${m.organizationId}:${m.userId}`),
        },
      }),
    },
    TeamMember: {
      fields: () => ({
        user: { type: factory.required('User'), description: 'The user (needs users:read)', resolve: (m: { userId: string }, _a, ctx: GraphQLContext) => ctx.loaders.users.load(m.userId) },
      }),
    },
    Invitation: {
      interfaces: () => [Node],
      fields: () => ({
        ...nodeField('Invitation'),
        inviter: {
          type: factory.required('User'),
          description: 'The user who invited, when a user did (needs users:read)',
          resolve: (inv: { invitedBy?: { type: string; id: string | null } }, _a, ctx: GraphQLContext) =>
            inv.invitedBy?.type === 'user' && inv.invitedBy.id ? ctx.loaders.users.load(inv.invitedBy.id) : null,
        },
      }),
    },
  };
  for (const typeName of Object.keys(NODE_TYPES)) extensions[typeName] ??= { interfaces: () => [Node], fields: () => nodeField(typeName) };
  const factory = new TypeFactory(extensions);

  function connectionOf(op: Operation): GraphQLObjectType {
    const items = op.output.properties!.items!;
    const defs = op.output.$defs ?? {};
    const itemName = items.items?.$ref ? items.items.$ref.replace(/^#\/\$defs\//, '') : `${pascal(op.field)}Item`;
    const existing = connections.get(itemName);
    if (existing) return existing;
    const node = factory.output(items.items ?? {}, defs, itemName);
    const Edge = new GraphQLObjectType({
      name: `${itemName}Edge`,
      fields: {
        node: { type: node },
        cursor: { type: GraphQLString, description: "This item's keyset cursor, where the list is ordered by id (null otherwise)" },
      },
    });
    const extra = Object.fromEntries(
      Object.entries(op.output.properties!)
        .filter(([name]) => name !== 'items' && name !== 'nextCursor')
        .map(([name, schema]) => [name, { type: factory.output(schema, defs, `${itemName}Connection${pascal(name)}`, op.output.required?.includes(name) ?? false) }]),
    );
    const connection = new GraphQLObjectType({
      name: `${itemName}Connection`,
      fields: {
        edges: {
          type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(Edge))),
          resolve: (page: Page) =>
            page.items.map((item, i) => ({
              node: item,
              cursor: typeof item.id === 'string' ? encodeCursor(item.id) : i === page.items.length - 1 ? page.nextCursor : null,
            })),
        },
        nodes: { type: new GraphQLNonNull(new GraphQLList(node)), resolve: (page: Page) => page.items },
        pageInfo: { type: new GraphQLNonNull(PageInfo), resolve: (page: Page) => ({ hasNextPage: page.nextCursor !== null, endCursor: page.nextCursor }) },
        ...extra,
      },
    });
    connections.set(itemName, connection);
    return connection;
  }

  /** A procedure's input fields as arguments; a page's `limit`/`cursor` are Relay's `first`/`after`. */
  function argsOf(op: Operation, omit: string[] = []): GraphQLFieldConfigArgumentMap {
    const fields = factory.inputFields(op.input, op.input.$defs ?? {}, pascal(op.field));
    const args: GraphQLFieldConfigArgumentMap = {};
    for (const [name, config] of Object.entries(fields)) {
      if (omit.includes(name)) continue;
      if (op.paged && name === 'limit') args.first = { type: GraphQLInt, description: 'Page size (1-100, default 20)' };
      else if (op.paged && name === 'cursor') args.after = { type: GraphQLString, description: 'The `pageInfo.endCursor` of the previous page' };
      else args[name] = config;
    }
    return args;
  }

  const inputOf = (op: Operation, args: Record<string, unknown>) => {
    if (!op.input.properties) return undefined;
    const { first, after, ...rest } = args;
    return op.paged ? { ...rest, ...(first === undefined || first === null ? {} : { limit: first }), ...(after === undefined || after === null ? {} : { cursor: after }) } : rest;
  };

  function nestedConnection(path: string, parentInput: (parent: any) => Record<string, unknown>): GraphQLFieldConfig<any, GraphQLContext> {
    const op = byPath.get(path)!;
    return {
      type: new GraphQLNonNull(connectionOf(op)),
      args: argsOf(op, Object.keys(parentInput({ id: '' }))),
      description: `As the \`${op.field}\` query (its permission), for this object`,
      resolve: (parent, args, ctx) => ctx.call(path, { ...inputOf(op, args), ...parentInput(parent) }),
    };
  }

  function fieldOf(op: Operation): GraphQLFieldConfig<unknown, GraphQLContext> {
    // Root fields are nullable: one refused field leaves its siblings' answers standing.
    const answer: GraphQLOutputType = op.paged ? connectionOf(op) : factory.output(op.output, op.output.$defs ?? {}, `${pascal(op.field)}Result`);
    const type = answer instanceof GraphQLNonNull ? (answer.ofType as GraphQLOutputType) : answer;
    const permission = op.meta.permission ? `Needs ${op.meta.permission}.` : op.meta.access ? `Access: ${op.meta.access}.` : '';
    return {
      type,
      args: argsOf(op),
      description: [op.meta.openapi?.summary, permission, `REST: ${op.meta.openapi?.method} /v1${op.meta.openapi?.path}`].filter(Boolean).join(' — '),
      resolve: (_root, args, ctx) => ctx.call(op.path, inputOf(op, args)),
    };
  }

  const queryFields: GraphQLFieldConfigMap<unknown, GraphQLContext> = {};
  const mutationFields: GraphQLFieldConfigMap<unknown, GraphQLContext> = {};
  for (const op of ops) (op.kind === 'query' ? queryFields : mutationFields)[op.field] = fieldOf(op);

  queryFields.node = {
    type: Node,
    description: 'The object with this global id, fetched by its get operation (and its permission); NOT_FOUND otherwise',
    args: { nodeId: { type: new GraphQLNonNull(GraphQLID) } },
    resolve: async (_root, { nodeId }: { nodeId: string }, ctx) => {
      const decoded = decodeNodeId(nodeId);
      if (!decoded) throw toGraphQLError(CommonErrors.NOT_FOUND({ message: 'No object has this node id', fields: [{ path: 'nodeId', message: 'Not a node id of this API' }] }), ctx.trpc.request.requestId);
      const found = (await ctx.call(decoded.spec.get, decoded.input)) as object;
      NODE_TYPE_OF.set(found, decoded.spec.type);
      return found;
    },
  };

  return new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: queryFields }),
    mutation: new GraphQLObjectType({ name: 'Mutation', fields: mutationFields }),
    types: Object.keys(NODE_TYPES)
      .map((name) => factory.named(name))
      .filter((t): t is GraphQLObjectType => Boolean(t)),
  });
}

export type { JsonSchema };
