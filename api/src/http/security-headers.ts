import helmet from 'helmet';
import type { NextFunction, Request, Response } from 'express';

/**
 * helmet's security headers, computed once at startup and then set by one middleware: helmet's
 * defaults are the same on every response, and running its dozen middlewares per request costs
 * measurable CPU on the hottest routes (sign-in). helmet stays the single source of the values.
 */
export function securityHeaders() {
  const headers: [string, string][] = [];
  const collector = {
    setHeader: (name: string, value: unknown) => headers.push([name, String(value)]),
    removeHeader: () => undefined,
  };
  let done = false;
  helmet()({} as Request, collector as unknown as Response, () => (done = true));
  // helmet answers synchronously; if a version ever did not, fall back to running it per request.
  if (!done) return helmet();
  return (_req: Request, res: Response, next: NextFunction): void => {
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}
