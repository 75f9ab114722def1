import { GraphQLError, type ExecutionResult, type GraphQLSchema, type ValidationContext } from 'graphql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import type { Config, Context, Logger } from '@plinto/kernel';
import type { IncomingMessage } from 'node:http';
import { graphQLContext, type GraphQLContext } from './context';
import { GraphQLErrors, plintoGraphQLError, toGraphQLError, type GraphQLErrorCode } from './errors';
import { buildSchema } from './schema';

export interface GraphQLDeps {
  config: Config;
  logger: Logger;
  /** The tRPC context factory /trpc and /v1 use: the same tenant, principal and service context. */
  createContext(opts: { req: IncomingMessage }): Promise<Context>;
  /** Defaults to the schema built from the router (tests and the SDL check build it once). */
  schema?: GraphQLSchema;
}

export const GRAPHQL_PATH = '/graphql';

/** Whether introspection (and GraphiQL) answer: on outside production unless set. */
export const introspectionOn = (config: Config) => config.GRAPHQL_INTROSPECTION ?? config.NODE_ENV !== 'production';
const graphiqlOn = (config: Config) => config.GRAPHQL_GRAPHIQL ?? config.NODE_ENV !== 'production';

/** The limits' refusals (graphql-armor and graphql-js word them) as Plinto codes. */
const REFUSALS: [RegExp, GraphQLErrorCode][] = [
  [/Query depth limit/, 'GRAPHQL_DEPTH_LIMIT'],
  [/Query Cost limit/, 'GRAPHQL_COST_LIMIT'],
  [/Aliases limit/, 'GRAPHQL_ALIAS_LIMIT'],
  [/Directives limit/, 'GRAPHQL_DIRECTIVE_LIMIT'],
  [/Token limit/, 'GRAPHQL_SIZE_LIMIT'],
  [/introspection has been disabled/, 'GRAPHQL_INTROSPECTION_DISABLED'],
  [/^Syntax Error/, 'GRAPHQL_PARSE_FAILED'],
  [/Batching is limited|Batching is not supported/, 'GRAPHQL_BATCH_LIMIT'],
];

/**
 * Every error leaves with Plinto's `extensions` (code, status, fields, requestId): the services'
 * own already carry them; the refusals of the limits, parsing and validation get theirs here.
 * Without introspection, "Did you mean …" hints (which would reveal the schema) are dropped.
 */
function withPlintoCodes(config: Config): Plugin<GraphQLContext> {
  const hideSuggestions = !introspectionOn(config);
  const coded = (error: GraphQLError, requestId: string): GraphQLError => {
    if (typeof error.extensions?.code === 'string' && typeof error.extensions.status === 'number') return error;
    const message = hideSuggestions ? error.message.replace(/ Did you mean .*$/, '') : error.message;
    const code = REFUSALS.find(([pattern]) => pattern.test(message))?.[1] ?? 'GRAPHQL_VALIDATION_FAILED';
    return new GraphQLError(message.replace(/^Syntax Error: (?=.*limit)/, ''), {
      nodes: error.nodes,
      path: error.path,
      extensions: { ...toGraphQLError(GraphQLErrors[code](), requestId).extensions, ...(error.extensions?.http ? { http: error.extensions.http } : {}) },
    });
  };
  const recode = (result: ExecutionResult, requestId: string): ExecutionResult =>
    result.errors ? { ...result, errors: result.errors.map((e) => coded(e as GraphQLError, requestId)) } : result;
  return {
    onResultProcess({ result, setResult, serverContext }) {
      const requestId = (serverContext as { req?: { id?: string } }).req?.id ?? 'unknown';
      if (Array.isArray(result)) setResult(result.map((r) => ('errors' in r ? recode(r as ExecutionResult, requestId) : r)) as never);
      else if (result && typeof result === 'object' && 'errors' in result) setResult(recode(result as ExecutionResult, requestId) as never);
    },
  };
}

/** An operation running past GRAPHQL_TIMEOUT_MS is answered GRAPHQL_TIMEOUT (its work is abandoned). */
function executionTimeout(timeoutMs: number): Plugin<GraphQLContext> {
  return {
    onExecute({ executeFn, setExecuteFn }) {
      setExecuteFn(async (args) => {
        const context = args.contextValue as GraphQLContext;
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<ExecutionResult>((resolve) => {
          timer = setTimeout(() => resolve({ errors: [plintoGraphQLError('GRAPHQL_TIMEOUT', context.trpc.request.requestId)] }), timeoutMs);
        });
        try {
          return await Promise.race([executeFn(args) as Promise<ExecutionResult>, timeout]);
        } finally {
          clearTimeout(timer);
        }
      });
    },
  };
}

export function createGraphQLServer(deps: GraphQLDeps): YogaServerInstance<{ req: IncomingMessage }, GraphQLContext> {
  const { config, logger } = deps;
  // Validation rules report their refusal as a validation error (a 400) instead of throwing (a 500).
  const report = { propagateOnRejection: false, onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(error)] };
  const plugins: Plugin<any>[] = [
    maxTokensPlugin({ n: config.GRAPHQL_MAX_TOKENS }),
    maxDepthPlugin({ n: config.GRAPHQL_MAX_DEPTH, flattenFragments: true, ...report }),
    costLimitPlugin({ maxCost: config.GRAPHQL_MAX_COST, ...report }),
    // `__typename` aliases count too: a thousand of them are as much work to parse and answer.
    maxAliasesPlugin({ n: config.GRAPHQL_MAX_ALIASES, allowList: [], ...report }),
    maxDirectivesPlugin({ n: config.GRAPHQL_MAX_DIRECTIVES, ...report }),
    executionTimeout(config.GRAPHQL_TIMEOUT_MS),
    withPlintoCodes(config),
  ];
  if (!introspectionOn(config)) plugins.push(useDisableIntrospection());
  return createYoga<{ req: IncomingMessage }, GraphQLContext>({
    schema: deps.schema ?? buildSchema(),
    graphqlEndpoint: GRAPHQL_PATH,
    graphiql: graphiqlOn(config) ? { title: 'Plinto GraphQL' } : false,
    landingPage: false,
    batching: { limit: config.GRAPHQL_MAX_OPERATIONS },
    plugins,
    logging: {
      debug: () => undefined,
      info: () => undefined,
      warn: (...args) => logger.warn({ args }, 'graphql'),
      error: (...args) => logger.error({ args }, 'graphql'),
    },
    // Anything not raised on purpose is logged and answered as INTERNAL, without its message.
    maskedErrors: {
      maskError: (error, _message) => {
        const original = error instanceof GraphQLError ? error.originalError : error;
        if (error instanceof GraphQLError && typeof error.extensions?.code === 'string' && error.extensions.status !== 500) return error;
        logger.error({ err: original ?? error }, 'graphql operation failed');
        return error instanceof GraphQLError && error.extensions?.code === 'SERVICE_UNAVAILABLE' ? error : toGraphQLError(new Error('internal'), 'unknown');
      },
    },
    context: async ({ req }) => graphQLContext(await deps.createContext({ req })),
  });
}
