import { AsyncLocalStorage } from 'node:async_hooks';
import type { NextFunction, Request, Response } from 'express';

/**
 * What the access log and the request's span learn while a request runs, wherever it runs
 * (Express, tRPC, trpc-to-openapi, the OAuth routes): the tenant it resolved and the route
 * template that served it. One AsyncLocalStorage store per request.
 */
export interface RequestScope {
  tenant?: string;
  route?: string;
}

const storage = new AsyncLocalStorage<RequestScope>();

export function requestScope(req: Request, res: Response, next: NextFunction): void {
  const scope: RequestScope = {};
  res.locals.scope = scope;
  storage.run(scope, next);
}

export const currentScope = (): RequestScope | undefined => storage.getStore();

/** Records the request's tenant (by slug) once it is known. */
export function noteTenant(slug: string | undefined | null): void {
  const scope = storage.getStore();
  if (scope && slug) scope.tenant = slug;
}

/** Records the route template that served the request (e.g. `POST /v1/tenants/{id}`'s path part). */
export function noteRoute(route: string): void {
  const scope = storage.getStore();
  if (scope) scope.route = route;
}
