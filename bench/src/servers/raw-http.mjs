// Baseline: the smallest possible Node HTTP server answering the same JSON as system.ping.
import { createServer } from 'node:http';

const body = JSON.stringify({ result: { data: { json: { pong: true } } } });
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
