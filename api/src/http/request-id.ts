import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

declare module 'http' {
  interface IncomingMessage {
    id?: string;
    /** When the request reached the first middleware (see RequestMeta.receivedAt). */
    receivedAt?: number;
  }
}

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Accepts a caller's X-Request-Id when it is safe to log, else makes one; echoes it back. */
export function requestId(req: Request, res: Response, next: NextFunction): void {
  req.receivedAt = Date.now();
  const given = req.headers['x-request-id'];
  req.id = typeof given === 'string' && SAFE_ID.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', req.id);
  next();
}
