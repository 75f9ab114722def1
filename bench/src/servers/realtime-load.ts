// The realtime bench's load client, in a process of its own: opens many WebSocket subscribers
// (tRPC's wire protocol against Plinto's /ws, or plain sockets against the raw broadcast server)
// and notes, for every delivery, how long after its event was published it arrived.
import WebSocket from 'ws';

type Command =
  | { type: 'connect'; url: string; count: number; protocol: 'trpc' | 'raw'; token?: string }
  | { type: 'reset' }
  | { type: 'collect' }
  | { type: 'close' };

const now = () => performance.timeOrigin + performance.now();
let sockets: WebSocket[] = [];
let latencies: number[] = [];
let lastArrival = 0;
let failures = 0;
let reported = 0;
let readies = 0;

function open(url: string, protocol: 'trpc' | 'raw', token?: string): Promise<void> {
  return new Promise((resolve) => {
    const ws = new WebSocket(protocol === 'trpc' ? `${url}/ws?connectionParams=1` : url);
    let ready = false;
    const done = () => {
      if (!ready) {
        ready = true;
        resolve();
      }
    };
    // A subscriber not ready within 30 s counts as failed, so `pnpm bench` reports instead of hanging.
    const giveUp = setTimeout(() => {
      if (!ready) failures++;
      done();
    }, 30_000);
    giveUp.unref();
    ws.on('open', () => {
      if (protocol === 'raw') return done();
      ws.send(JSON.stringify({ method: 'connectionParams', data: { token } }));
      ws.send(JSON.stringify({ id: 1, method: 'subscription', params: { path: 'realtime.tenant', input: { json: { types: ['bench.*'] } } } }));
    });
    ws.on('message', (raw) => {
      const at = now();
      const text = raw.toString();
      if (text === 'PING') return void ws.send('PONG'); // tRPC's heartbeat
      const message = JSON.parse(text) as any;
      if (protocol === 'raw') {
        latencies.push(at - message.data.sentAt);
        lastArrival = at;
        return;
      }
      // tRPC over WebSocket: { id, result: { type: 'data', id, data: { json: <tracked { id, data: message }> } } } (superjson).
      const data = message.result?.data?.json?.data;
      if (!data) {
        if (message.result?.type !== 'started' && reported++ < 3) process.stderr.write(`realtime load: unexpected message ${text.slice(0, 300)}\n`);
        return;
      }
      if (data.kind === 'ready') {
        readies++;
        done();
      }
      else if (data.kind === 'event') {
        latencies.push(at - (data.event.data.sentAt as number));
        lastArrival = at;
      }
    });
    ws.on('error', () => {
      failures++;
      done();
    });
    ws.on('close', (code) => {
      if (!ready) {
        failures++;
        process.stderr.write(`realtime load: a subscriber was closed (${code}) before it was ready\n`);
      }
      done();
    });
    sockets.push(ws);
  });
}

process.on('message', async (command: Command) => {
  if (process.env.BENCH_REALTIME_DEBUG) process.stderr.write(`realtime load: ${command.type} (${latencies.length} so far)\n`);
  if (command.type === 'connect') {
    // In waves: a connection storm of thousands at once would measure the accept queue, not us.
    for (let i = 0; i < command.count; i += 250) {
      await Promise.all(Array.from({ length: Math.min(250, command.count - i) }, () => open(command.url, command.protocol, command.token)));
    }
    process.send!({ type: 'connected', open: sockets.filter((s) => s.readyState === WebSocket.OPEN).length, ready: command.protocol === 'raw' ? sockets.length : readies, failures });
  } else if (command.type === 'reset') {
    latencies = [];
    lastArrival = 0;
    process.send!({ type: 'reset' });
  } else if (command.type === 'collect') {
    process.send!({ type: 'collected', latencies, lastArrival });
  } else if (command.type === 'close') {
    for (const ws of sockets) ws.terminate();
    sockets = [];
    process.send!({ type: 'closed' });
  }
});
process.send!({ type: 'started' });
