import express, { type Router } from 'express';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

const require = createRequire(import.meta.url);
const swaggerUiDir = dirname(require.resolve('swagger-ui-dist/package.json'));

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <title>Plinto API reference</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css" />
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>`;

// Served as a file rather than inline so the page runs under a strict `script-src 'self'` CSP.
const INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true });`;

/** The API reference at /docs, rendered by Swagger UI served from our own origin (no CDN). */
export function docsRouter(): Router {
  const docs = express.Router();
  docs.get('/', (_req, res) => {
    res.type('html').send(PAGE);
  });
  docs.get('/init.js', (_req, res) => {
    res.type('application/javascript').send(INIT);
  });
  docs.use('/assets', express.static(swaggerUiDir, { index: false, maxAge: '1d' }));
  return docs;
}
