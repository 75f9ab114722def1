import { getNamedType, isLeafType, isListType, isNonNullType, isObjectType, type GraphQLField, type GraphQLSchema } from 'graphql';
import { buildGraphQLSchema } from '@plinto/api';

let schema: GraphQLSchema | undefined;
const schemaOf = () => (schema ??= buildGraphQLSchema());

/** Fields the GraphQL layer adds over REST's shapes (relationships, node ids): left out for parity. */
const ADDED: Record<string, string[]> = {
  OrganizationMember: ['user', 'teams'],
  TeamMember: ['user'],
  Invitation: ['inviter'],
  Organization: ['members', 'teams'],
  OrganizationListItem: ['members', 'teams'],
};

/** Every field REST answers with, as a selection set (connections as `nodes` + `pageInfo`). */
export function selectAll(typeName: string, depth = 6): string {
  const type = schemaOf().getType(typeName);
  if (!type || !isObjectType(type)) return '';
  // A Relay connection (not any type whose name ends so, e.g. a social sign-in connection).
  if (typeName.endsWith('Connection') && 'nodes' in type.getFields()) {
    const node = getNamedType(type.getFields().nodes!.type).name;
    return `{ nodes ${selectAll(node, depth - 1)} pageInfo { hasNextPage endCursor } }`;
  }
  const parts: string[] = [];
  for (const field of Object.values(type.getFields()) as GraphQLField<unknown, unknown>[]) {
    if (field.name === 'nodeId' || ADDED[typeName]?.includes(field.name)) continue;
    const named = getNamedType(field.type);
    if (isLeafType(named)) parts.push(field.name);
    else if (depth > 0) parts.push(`${field.name} ${selectAll(named.name, depth - 1)}`);
  }
  return `{ ${parts.join(' ')} }`;
}

/** The return type name of a root field. */
export function returnTypeOf(root: 'Query' | 'Mutation', field: string): { name: string; leaf: boolean } {
  const type = (root === 'Query' ? schemaOf().getQueryType() : schemaOf().getMutationType())!.getFields()[field];
  if (!type) throw new Error(`no ${root}.${field}`);
  const named = getNamedType(type.type);
  return { name: named.name, leaf: isLeafType(named) };
}

/** A connection's answer as REST's page (`{ items, nextCursor }`); other answers as they are. */
export function asRest(value: any): any {
  if (value && typeof value === 'object' && 'nodes' in value && 'pageInfo' in value) {
    const { nodes, pageInfo, ...rest } = value;
    return { ...rest, items: nodes, nextCursor: pageInfo.endCursor };
  }
  return value;
}

/** REST omits absent optional fields where GraphQL answers null: compare without nulls. */
export function withoutNulls(value: any): any {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => [k, withoutNulls(v)]));
  return value;
}

export { isListType, isNonNullType };
