// Baseline for the realtime bench: a raw `ws` server that broadcasts every message of a Redis
// channel to all its sockets — no authentication, no authorization, no framing, no resumption.
import { WebSocketServer } from 'ws';
import { Redis } from 'ioredis';

// No compression (as Plinto's /ws): a broadcast encodes each message once, not once per socket.
const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
// Listening is awaited first: 'listening' fires while the Redis subscribe is still under way.
const listening = new Promise<void>((resolve) => wss.once('listening', resolve));
const subscriber = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
subscriber.on('message', (_channel: string, message: string) => {
  // Encoded to bytes once for all sockets, as ws's own broadcast example does (a string would be encoded per send).
  const data = Buffer.from(message);
  for (const client of wss.clients) client.send(data, { binary: false });
});
await Promise.all([listening, subscriber.subscribe(process.env.RAW_CHANNEL ?? 'plinto_bench_raw')]);
process.send?.({ port: (wss.address() as { port: number }).port });
process.on('message', (command: { type: string }) => {
  if (command.type === 'rss') process.send?.({ type: 'rss', rss: process.memoryUsage().rss });
});
process.on('SIGTERM', () => {
  for (const client of wss.clients) client.terminate();
  wss.close(() => process.exit(0));
  subscriber.disconnect();
});
