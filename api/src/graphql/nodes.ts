/**
 * Global object ids (Relay's node ids): `base64url("Type:key[:key]")`, decoded and fetched again by
 * the type's get operation — so `node(nodeId)` answers exactly what that operation answers the
 * caller (another tenant's or organization's object is the same 404 as a missing one).
 */
export interface NodeSpec {
  /** The GraphQL type `node` answers with (the get operation's output). */
  type: string;
  /** The procedure that fetches it again. */
  get: string;
  /** Input field of the get operation ← field of the object, in id order. */
  keys: [input: string, field: string][];
}

const spec = (type: string, get: string, keys: [string, string][]): NodeSpec => ({ type, get, keys });

/** Types carrying a node id, by the GraphQL type name; list items point at their full type. */
export const NODE_TYPES: Record<string, NodeSpec> = {
  User: spec('User', 'users.get', [['userId', 'id']]),
  Organization: spec('Organization', 'orgs.get', [['orgId', 'id']]),
  Team: spec('Team', 'orgs.getTeam', [['orgId', 'organizationId'], ['teamId', 'id']]),
  Invitation: spec('Invitation', 'invitations.get', [['id', 'id']]),
  Policy: spec('Policy', 'policies.get', [['id', 'id']]),
  WebhookEndpoint: spec('WebhookEndpoint', 'webhooks.getEndpoint', [['endpointId', 'id']]),
  WebhookMessage: spec('WebhookMessage', 'webhooks.getMessage', [['messageId', 'id']]),
  AuditEvent: spec('AuditEvent', 'auditLogs.get', [['id', 'id']]),
  Tenant: spec('Tenant', 'tenants.get', [['tenantId', 'id']]),
};

/** The node id of `obj` as a `typeName` (a list item's type shares its full type's ids). */
export function nodeIdOf(typeName: string, obj: Record<string, unknown>): string {
  const node = NODE_TYPES[typeName]!;
  return Buffer.from([node.type, ...node.keys.map(([, field]) => String(obj[field]))].join(':'), 'utf8').toString('base64url');
}

export function decodeNodeId(nodeId: string): { spec: NodeSpec; input: Record<string, string> } | null {
  const [type, ...values] = Buffer.from(nodeId, 'base64url').toString('utf8').split(':');
  const node = type ? NODE_TYPES[type] : undefined;
  if (!node || values.length !== node.keys.length || values.some((v) => v.length === 0 || v.length > 200)) return null;
  return { spec: node, input: Object.fromEntries(node.keys.map(([input], i) => [input, values[i]!])) };
}
