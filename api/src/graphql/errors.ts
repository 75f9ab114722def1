import { GraphQLError } from 'graphql';
import { TRPCError } from '@trpc/server';
import { defineErrors, plintoError } from '@plinto/kernel';

/**
 * A failed service call as a GraphQL error: the message, code, HTTP status, fields at fault and
 * details REST would answer with, in `extensions` (never a stack or SQL).
 */
export function toGraphQLError(error: unknown, requestId: string): GraphQLError {
  if (error instanceof GraphQLError) return error;
  const trpcError = error instanceof TRPCError ? error : new TRPCError({ code: 'INTERNAL_SERVER_ERROR', cause: error });
  const { data, message } = plintoError(trpcError);
  return new GraphQLError(message, {
    originalError: trpcError,
    extensions: { code: data.code, status: data.httpStatus, ...(data.fields ? { fields: data.fields } : {}), ...(data.details ? { details: data.details } : {}), requestId },
  });
}

/** What the GraphQL layer itself refuses, before anything runs. */
export const GraphQLErrors = defineErrors({
  GRAPHQL_PARSE_FAILED: { status: 400, message: 'The GraphQL document could not be parsed' },
  GRAPHQL_VALIDATION_FAILED: { status: 400, message: 'The GraphQL operation is not valid against the schema' },
  GRAPHQL_DEPTH_LIMIT: { status: 400, message: 'The operation is nested deeper than allowed' },
  GRAPHQL_COST_LIMIT: { status: 400, message: 'The operation would cost more than allowed' },
  GRAPHQL_ALIAS_LIMIT: { status: 400, message: 'The operation uses more aliases than allowed' },
  GRAPHQL_DIRECTIVE_LIMIT: { status: 400, message: 'The operation uses more directives than allowed' },
  GRAPHQL_SIZE_LIMIT: { status: 400, message: 'The GraphQL document is larger than allowed' },
  GRAPHQL_BATCH_LIMIT: { status: 400, message: 'The request carries more operations than allowed' },
  GRAPHQL_INTROSPECTION_DISABLED: { status: 400, message: 'Introspection is disabled on this server' },
  GRAPHQL_TIMEOUT: { status: 503, message: 'The operation took longer than allowed' },
});

export type GraphQLErrorCode = keyof typeof GraphQLErrors;

/** An error Plinto raises itself in the GraphQL layer, shaped like every other. */
export function plintoGraphQLError(code: GraphQLErrorCode, requestId: string, opts: { message?: string; fields?: { path: string; message: string }[] } = {}): GraphQLError {
  return toGraphQLError(GraphQLErrors[code](opts), requestId);
}
