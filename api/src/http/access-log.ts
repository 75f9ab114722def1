import type { NextFunction, Request, Response } from 'express';
import { SpanKind, SpanStatusCode, tracer, tracingActive, type Logger } from '@plinto/kernel';
import { context, propagation, trace, type Span } from '@opentelemetry/api';
import { currentScope, type RequestScope } from './request-scope';
import { routeTemplate } from './route-template';

/** Called once per finished response (not for a client that went away first), with its duration. */
export type FinishedObserver = (req: Request, res: Response, seconds: number) => void;

/**
 * One access-log line per request, written when the response is finished (or the client went
 * away): method, route template, status, duration, tenant, request id. Never the URL's query, a
 * header or a body, so no token or secret can reach it. 5xx at error, everything else — 4xx and
 * throttling (429) included — at info, so an operator sees refused and throttled calls.
 *
 * The same middleware opens the request's server span (when tracing is on): everything the
 * request does, down to the outbox rows it writes, happens inside it. When tracing is off (the
 * default) no span, context or propagation work is done at all. `observe` (the HTTP duration
 * metric) runs from the same finish listener: one clock read and one listener per request.
 */
export function accessLog(logger: Logger, observe?: FinishedObserver) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const start = process.hrtime.bigint();
    const scope = currentScope() ?? (res.locals.scope as RequestScope | undefined) ?? {};
    let span: Span | undefined;
    let parent: ReturnType<typeof context.active> | undefined;
    if (tracingActive()) {
      // A caller's W3C traceparent is continued; otherwise the request starts a trace.
      parent = propagation.extract(context.active(), req.headers);
      span = tracer('plinto-api').startSpan(`${req.method}`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'plinto.request_id': req.id } }, parent);
    }
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const finished = res.writableFinished;
      const elapsed = Number(process.hrtime.bigint() - start);
      if (finished && observe) observe(req, res, elapsed / 1e9);
      const route = routeTemplate(req, scope.route);
      const status = finished ? res.statusCode : 499; // 499: the client closed first
      const durationMs = Math.round(elapsed / 1e4) / 100;
      const line = { method: req.method, route, status, durationMs, tenant: scope.tenant ?? null, requestId: req.id };
      if (status >= 500) logger.error(line, 'request');
      else logger.info(line, 'request');
      if (!span) return;
      span.updateName(`${req.method} ${route}`);
      span.setAttributes({ 'http.route': route, 'http.response.status_code': status, ...(scope.tenant ? { 'plinto.tenant': scope.tenant } : {}) });
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    };
    res.once('finish', finish);
    res.once('close', finish);
    if (span) context.with(trace.setSpan(parent!, span), next);
    else next();
  };
}
