import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The admin console's built files (`web/console/dist`), found by walking up from this file: the
 * same lookup works from the TypeScript sources and from the bundled `api/dist/main.js`.
 * `ADMIN_CONSOLE_DIR` names another directory (a container image that copies the build elsewhere).
 */
export function adminConsoleDir(): string | null {
  if (process.env.ADMIN_CONSOLE_DIR) return process.env.ADMIN_CONSOLE_DIR;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i += 1) {
    const candidate = join(dir, 'web', 'console', 'dist');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    dir = dirname(dir);
  }
  return null;
}

/**
 * Stricter than the api's defaults: the console is the one page that can change everything, so it
 * may be framed by nobody (clickjacking) and run only its own same-origin scripts. Mantine sets
 * CSS variables in a <style> element, hence 'unsafe-inline' for styles only — never for scripts.
 */
const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  // https: images for the Settings screen's live preview of a tenant's logo (any URL being typed);
  // an image cannot run code, and connect-src keeps the console's data from leaving.
  "img-src 'self' data: https:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function consoleHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Content-Security-Policy', CONSOLE_CSP);
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  next();
}

/**
 * `/admin`: the console's static files, and its index.html for every other path below it (the
 * single-page app routes on the client). The page holds no secret: what it shows comes from the
 * same tRPC procedures, with the signed-in person's own permissions.
 */
export function adminConsoleRouter(dir = adminConsoleDir()): Router {
  const admin = express.Router();
  admin.use(consoleHeaders);
  if (!dir) {
    admin.use((_req, res) => {
      res.status(503).type('text/plain').send('The admin console is not built: run `pnpm build` (or `pnpm --filter @plinto/web-console build`).');
    });
    return admin;
  }
  // Hashed file names: cache for a year. index.html: never, so a deploy is picked up at once.
  admin.use('/assets', express.static(join(dir, 'assets'), { index: false, immutable: true, maxAge: '365d' }), (_req, res) => {
    res.status(404).type('text/plain').send('Not found');
  });
  admin.use(express.static(dir, { index: false, maxAge: 0 }));
  admin.get('/{*rest}', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.sendFile(join(dir, 'index.html'));
  });
  return admin;
}
