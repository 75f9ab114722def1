// Baseline: an Express 5 hello route, no middleware.
import express from 'express';

const app = express();
app.get('/hello', (_req, res) => {
  res.json({ result: { data: { json: { pong: true } } } });
});
const server = app.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as { port: number }).port }));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
