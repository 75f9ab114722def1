import { failureMeta } from './failure-meta';
import type { RequestHandler } from 'express';
import type { AnyTRPCRouter } from '@trpc/server';
import {
  getErrorShape,
  getHTTPStatusCode,
  getTRPCErrorFromUnknown,
  transformTRPCResponse,
  type TRPCError,
} from '@trpc/server/unstable-core-do-not-import';

type Procedure = ((opts: { path: string; getRawInput: () => Promise<unknown>; ctx: unknown; type: 'query'; signal: undefined; batchIndex: number }) => Promise<unknown>) & {
  _def: { type: string; resolver?: unknown };
};

const AsyncGeneratorFunction = Object.getPrototypeOf(async function* () {}).constructor;

/**
 * A single (unbatched) tRPC GET query — the shape of most protected reads from an app's backend —
 * answered without tRPC's fetch adapter. For every call that adapter turns the Node request into a
 * fetch `Request` (headers, an AbortController and streams), resolves, then turns a fetch
 * `Response` back: on a small query that was about a third of the CPU (measured). Here the
 * procedure runs with the same context, input transformer, error formatter and status codes, and
 * the same body bytes; anything else (batches, mutations, streamed queries, subscriptions, a
 * malformed input, an unknown path) goes on to the standard adapter unchanged.
 */
export function trpcFastPath(opts: {
  router: AnyTRPCRouter;
  createContext: (opts: { req: never; res: never; info: undefined }) => Promise<unknown>;
  onError: (opts: { error: TRPCError; path: string; input: unknown; ctx: unknown; type: 'query'; req: unknown }) => void;
}): RequestHandler {
  const config = opts.router._def._config;
  const procedures = opts.router._def.procedures as Record<string, Procedure | undefined>;
  return async (req, res, next) => {
    if (req.method !== 'GET' || req.headers['trpc-accept'] || req.query.batch !== undefined) return next();
    const path = decodeURIComponent(req.path.slice(1));
    const procedure = procedures[path];
    if (!procedure || procedure._def.type !== 'query' || procedure._def.resolver instanceof AsyncGeneratorFunction) return next();
    let input: unknown;
    const raw = req.query.input;
    if (raw !== undefined) {
      if (typeof raw !== 'string') return next();
      try {
        input = config.transformer.input.deserialize(JSON.parse(raw));
      } catch {
        return next(); // tRPC words the PARSE_ERROR
      }
    }
    let ctx: unknown;
    let body: Parameters<typeof transformTRPCResponse>[1];
    let status = 200;
    try {
      ctx = await opts.createContext({ req: req as never, res: res as never, info: undefined });
      body = { result: { data: await procedure({ path, getRawInput: async () => input, ctx, type: 'query', signal: undefined, batchIndex: 0 }) } };
    } catch (cause) {
      const error = getTRPCErrorFromUnknown(cause);
      opts.onError({ error, path, input, ctx, type: 'query', req });
      const shaped = { error: getErrorShape({ config, ctx, error, input, path, type: 'query' }) };
      status = getHTTPStatusCode(shaped, [error]);
      // Every 429 and 503 says when to come back, as on the middleware's path (failure-meta.ts).
      const retry = failureMeta([error]).headers?.['retry-after'];
      if (retry) res.setHeader('retry-after', retry);
      body = shaped;
    }
    res.status(status);
    res.setHeader('vary', 'trpc-accept, accept');
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(transformTRPCResponse(config, body)));
  };
}
