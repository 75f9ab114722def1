import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import { WebSocketServer, type WebSocket } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { AppError, type Config, type Context, type Logger, type ServiceContext, type ServiceRegistry } from '@plinto/kernel';
import { attachConnection, CLOSE_CODES, realtimeConfig, REALTIME_HUB, type RealtimeConnection } from '@plinto/realtime';
import type { CallFacts } from '@plinto/kernel';
import { codedError, introspectionOn, type GraphQLServer } from './server';
import { toGraphQLError } from './errors';

type ServiceContextOf = (facts: CallFacts) => Promise<ServiceContext>;

export interface GraphQLWebSocketDeps {
  yoga: GraphQLServer;
  serviceContextOf: ServiceContextOf;
  /** The credential and tenant of a WebSocket: header, connection params (`token`, `tenant`) or cookie. */
  factsOf(req: IncomingMessage, connectionParams: Record<string, string | undefined> | null | undefined): CallFacts;
  expiryOf(bearer: string | null, sc: ServiceContext): number | null;
  services: ServiceRegistry;
  config: Config;
  logger: Logger;
}

type Extra = {
  request: IncomingMessage;
  socket: WebSocket;
  /** Set by onConnect: the socket's tRPC context, its realtime connection attached. */
  trpc?: Context;
  connection?: RealtimeConnection;
};

/**
 * GraphQL over WebSocket (the graphql-ws protocol) at /graphql: the credential arrives in the
 * connection params (`{ token, tenant }`) or the upgrade's headers; an invalid one closes the
 * socket with 4401 before any operation. The socket is one realtime connection of the hub (limits,
 * session revocation and expiry close it), and every operation runs through the same yoga
 * pipeline — limits, error codes — as HTTP.
 */
export function graphQLWebSocket(deps: GraphQLWebSocketDeps): { handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void; close(): void } {
  const settings = realtimeConfig(deps.config);
  const wss = new WebSocketServer({ noServer: true, maxPayload: settings.REALTIME_MAX_MESSAGE_BYTES });
  const hub = deps.services.get(REALTIME_HUB);
  const hideSuggestions = !introspectionOn(deps.config);
  useServer<Record<string, string | undefined>, Extra>(
    {
      onConnect: async (ctx) => {
        const facts = deps.factsOf(ctx.extra.request, ctx.connectionParams);
        const close = (code: number, reason: string) => ctx.extra.socket.readyState <= 1 && ctx.extra.socket.close(code, reason);
        let sc: ServiceContext;
        try {
          sc = await deps.serviceContextOf(facts);
        } catch (error) {
          if (error instanceof AppError && error.status === 401) close(CLOSE_CODES.UNAUTHENTICATED, 'UNAUTHENTICATED');
          return false;
        }
        if (!sc.principal) {
          close(CLOSE_CODES.UNAUTHENTICATED, 'UNAUTHENTICATED');
          return false;
        }
        try {
          ctx.extra.connection = hub.open(
            { principal: sc.principal, tenantId: sc.tenant.id, expiresAt: deps.expiryOf(facts.bearer as string | null, sc), verify: () => deps.serviceContextOf(facts) },
            { close: (code, reason) => close(code, reason), bufferedBytes: () => ctx.extra.socket.bufferedAmount },
            'ws',
          );
        } catch (error) {
          if (error instanceof AppError && error.status === 429) close(CLOSE_CODES.TOO_MANY_CONNECTIONS, 'TOO_MANY_CONNECTIONS');
          return false;
        }
        // Each operation checks the credential again (a fresh service context, a fresh EntityManager).
        ctx.extra.trpc = { request: facts.request, config: deps.config, logger: deps.logger, serviceContext: () => deps.serviceContextOf(facts) };
        attachConnection(ctx.extra.trpc, ctx.extra.connection);
        return true;
      },
      onClose: (ctx) => {
        if (ctx.extra.connection) hub.release(ctx.extra.connection, 'ws');
      },
      execute: (args: ExecutionArgs) => (args.rootValue as Enveloped).execute(args) as never,
      subscribe: (args: ExecutionArgs) => (args.rootValue as Enveloped).subscribe(args) as never,
      onSubscribe: async (ctx, _id, payload) => {
        const trpc = ctx.extra.trpc!;
        // A fresh tRPC context per operation (its own service context), on the socket's connection.
        const perOperation: Context = { ...trpc, serviceContext: (() => { let built: Promise<ServiceContext> | undefined; return () => (built ??= trpc.serviceContext()); })() };
        if (ctx.extra.connection) attachConnection(perOperation, ctx.extra.connection);
        const { schema, execute, subscribe, contextFactory, parse, validate } = deps.yoga.getEnveloped({ req: ctx.extra.request, trpc: perOperation, params: payload });
        let document;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [error instanceof GraphQLError ? codedError(error, trpc.request.requestId, hideSuggestions) : toGraphQLError(error, trpc.request.requestId)];
        }
        const errors = validate(schema, document);
        if (errors.length > 0) return errors.map((e: GraphQLError) => codedError(e, trpc.request.requestId, hideSuggestions));
        return { schema, document, operationName: payload.operationName, variableValues: payload.variables, contextValue: await contextFactory(), rootValue: { execute, subscribe } };
      },
    },
    wss,
  );
  return {
    handleUpgrade: (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req)),
    close: () => wss.close(),
  };
}

type Enveloped = { execute(args: ExecutionArgs): unknown; subscribe(args: ExecutionArgs): unknown };
