// The realtime bench's load client, in a process of its own: opens many WebSocket subscribers
// (tRPC's wire protocol against Plinto's /ws, or plain sockets against the raw broadcast server)
// and notes, for every delivery, how long after its event was published it arrived.
//
// Both protocols are read the same cheap way (the `sentAt` number is found in the text, not by
// parsing the whole message), so the client's own cost is the same on both sides and as small as
// possible: with 10,000 sockets the client shares the machine's cores with the server it measures.
import WebSocket from 'ws';

type Command =
  | { type: 'connect'; url: string; count: number; protocol: 'trpc' | 'raw'; token?: string }
  | { type: 'reset' }
  | { type: 'count' }
  | { type: 'latencies' }
  | { type: 'close' };

const now = () => performance.timeOrigin + performance.now();
const SENT_AT = '"sentAt":';
const GIVE_UP_MS = Number(process.env.BENCH_REALTIME_GIVE_UP_MS ?? 180_000);
const IN_FLIGHT = 200;
let sockets: WebSocket[] = [];
let latencies: number[] = [];
let lastArrival = 0;
let failures = 0;
let readies = 0;
let reported = 0;
const debug = (line: string) => void (process.env.BENCH_REALTIME_DEBUG && process.stderr.write(`realtime load: ${line}\n`));

/** When the event in `text` was published (its `data.sentAt`), or NaN when it carries none. */
function sentAtOf(text: string): number {
  const at = text.indexOf(SENT_AT);
  if (at < 0) return NaN;
  const start = at + SENT_AT.length;
  let end = start;
  while (end < text.length && '0123456789.'.includes(text[end]!)) end++;
  return Number(text.slice(start, end));
}

function open(url: string, protocol: 'trpc' | 'raw', token?: string): Promise<void> {
  return new Promise((resolve) => {
    const ws = new WebSocket(protocol === 'trpc' ? `${url}/ws?connectionParams=1` : url);
    let settled = false;
    let state: 'pending' | 'ready' | 'failed' = 'pending';
    const done = () => {
      if (!settled) {
        settled = true;
        resolve();
      }
    };
    const becameReady = () => {
      if (state !== 'pending') return;
      state = 'ready';
      readies++;
      done();
    };
    const failed = (why: string) => {
      if (state !== 'pending') return;
      state = 'failed';
      failures++;
      if (reported++ < 3) process.stderr.write(`realtime load: a subscriber failed before it was ready (${why})\n`);
      done();
    };
    // A subscriber not ready in time stops holding up the others (it may still become ready: the
    // count of ready ones is what is reported), so `pnpm bench` reports instead of hanging.
    const giveUp = setTimeout(done, GIVE_UP_MS);
    giveUp.unref();
    ws.on('open', () => {
      if (protocol === 'raw') return becameReady();
      ws.send(JSON.stringify({ method: 'connectionParams', data: { token } }));
      ws.send(JSON.stringify({ id: 1, method: 'subscription', params: { path: 'realtime.tenant', input: { json: { types: ['bench.*'] } } } }));
    });
    ws.on('message', (raw) => {
      const at = now();
      const text = raw.toString();
      if (text === 'PING') return void ws.send('PONG'); // tRPC's heartbeat
      const sentAt = sentAtOf(text);
      if (!Number.isNaN(sentAt)) {
        latencies.push(at - sentAt);
        lastArrival = at;
        return;
      }
      // tRPC over WebSocket: { id, result: { type: 'data', id, data: { json: <tracked { id, data: message }> } } }.
      if (text.includes('"kind":"ready"')) return becameReady();
      if (!text.includes('"type":"started"') && reported++ < 3) process.stderr.write(`realtime load: unexpected message ${text.slice(0, 300)}\n`);
    });
    ws.on('error', (error) => failed(error.message));
    ws.on('close', (code) => failed(`closed with ${code}`));
    sockets.push(ws);
  });
}

process.on('message', async (command: Command) => {
  debug(`${command.type} (${latencies.length} so far)`);
  if (command.type === 'connect') {
    readies = failures = 0;
    // At most IN_FLIGHT handshakes at once: a storm of thousands would measure the accept queue, not us.
    let next = 0;
    const worker = async () => {
      while (next < command.count) {
        next++;
        await open(command.url, command.protocol, command.token);
        if (next % 1000 === 0) debug(`${next} opened, ${readies} ready`);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    // Those that gave up may still come through: wait for them a while longer.
    const deadline = Date.now() + GIVE_UP_MS;
    while (readies + failures < command.count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    process.send!({ type: 'connected', open: sockets.filter((s) => s.readyState === WebSocket.OPEN).length, ready: readies, failures });
  } else if (command.type === 'reset') {
    latencies = [];
    lastArrival = 0;
    process.send!({ type: 'reset' });
  } else if (command.type === 'count') {
    process.send!({ type: 'counted', count: latencies.length, lastArrival });
  } else if (command.type === 'latencies') {
    process.send!({ type: 'latencies', latencies, lastArrival });
  } else if (command.type === 'close') {
    for (const ws of sockets) ws.terminate();
    sockets = [];
    process.send!({ type: 'closed' });
  }
});
process.send!({ type: 'started' });
