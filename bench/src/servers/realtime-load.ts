// The realtime bench's load client, in a process of its own: opens many WebSocket subscribers
// (tRPC's wire protocol against Plinto's /ws, or plain sockets against the raw broadcast server)
// and notes, for every delivery, how long after its event was published it arrived.
//
// With 10,000 sockets this process shares the machine's 2 cores with the server it measures, and
// whatever it spends per message shows up as the server's latency. So it is as lean as a client
// can be, and the same for both servers: plain TCP sockets reading into one shared buffer
// (`onread`: no Buffer, no stream and no event per read), a minimal WebSocket frame reader (the
// servers send unmasked, unfragmented frames, without compression — none is offered), the
// `sentAt` number read from the frame's bytes (no string, no JSON.parse), one clock read per read
// (not per frame), and the latencies counted into a fixed histogram (no array growing by
// 10,000 numbers per event, nothing sorted).
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';

type Command =
  | { type: 'connect'; url: string; count: number; protocol: 'trpc' | 'raw'; token?: string }
  | { type: 'reset' }
  | { type: 'count' }
  | { type: 'latencies' }
  | { type: 'close' };

const now = () => performance.timeOrigin + performance.now();
const SENT_AT = Buffer.from('"sentAt":');
const READY = Buffer.from('"kind":"ready"');
const STARTED = Buffer.from('"type":"started"');
const PING = Buffer.from('PING');
const HEADERS_END = Buffer.from('\r\n\r\n');
const GIVE_UP_MS = Number(process.env.BENCH_REALTIME_GIVE_UP_MS ?? 180_000);
const IN_FLIGHT = 200;
/** Latency histogram: 0.1 ms buckets up to a minute (the last bucket holds anything slower). */
const BUCKET_MS = 0.1;
const histogram = new Uint32Array(600_000);
let count = 0;
let lastArrival = 0;
let failures = 0;
let readies = 0;
let reported = 0;
const debug = (line: string) => void (process.env.BENCH_REALTIME_DEBUG && process.stderr.write(`realtime load: ${line}\n`));
const complain = (line: string) => void (reported++ < 3 && process.stderr.write(`realtime load: ${line}\n`));

/** A client → server text frame: masked (as clients must), with a zero mask so the payload is as is. */
function clientFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const length = payload.length;
  const header = length < 126 ? Buffer.from([0x81, 0x80 | length, 0, 0, 0, 0]) : Buffer.from([0x81, 0x80 | 126, length >> 8, length & 0xff, 0, 0, 0, 0]);
  return Buffer.concat([header, payload]);
}
const PONG = clientFrame('PONG');

/** The number after `"sentAt":` in buf[start, end), or -1 when the frame carries none. */
function sentAtOf(buf: Buffer, start: number, end: number): number {
  const at = buf.indexOf(SENT_AT, start);
  if (at < 0 || at >= end) return -1;
  let i = at + SENT_AT.length;
  let value = 0;
  for (let c = buf[i]!; c >= 48 && c <= 57; c = buf[++i]!) value = value * 10 + (c - 48);
  if (buf[i] === 46) {
    let scale = 0.1;
    for (let c = buf[++i]!; c >= 48 && c <= 57; c = buf[++i]!, scale /= 10) value += (c - 48) * scale;
  }
  return value;
}

const contains = (buf: Buffer, what: Buffer, start: number, end: number) => {
  const at = buf.indexOf(what, start);
  return at >= 0 && at + what.length <= end;
};

/** One subscriber: its socket, where it is in the handshake, and the bytes of a frame split across reads. */
interface Subscriber {
  socket: Socket;
  protocol: 'trpc' | 'raw';
  token: string | undefined;
  upgraded: boolean;
  rest: Buffer | null;
  state: 'pending' | 'ready' | 'failed';
  settle: () => void;
}

let subscribers: Subscriber[] = [];

function becameReady(s: Subscriber): void {
  if (s.state !== 'pending') return;
  s.state = 'ready';
  readies++;
  s.settle();
}

function failed(s: Subscriber, why: string): void {
  if (s.state !== 'pending') return;
  s.state = 'failed';
  failures++;
  complain(`a subscriber failed before it was ready (${why})`);
  s.settle();
}

/** One complete server frame, payload in buf[start, end). */
function onFrame(s: Subscriber, opcode: number, buf: Buffer, start: number, end: number, at: number): void {
  if (opcode === 1) {
    const sentAt = sentAtOf(buf, start, end);
    if (sentAt >= 0) {
      histogram[Math.min(histogram.length - 1, Math.max(0, Math.floor((at - sentAt) / BUCKET_MS)))]!++;
      count++;
      lastArrival = at;
      return;
    }
    if (end - start === 4 && buf.compare(PING, 0, 4, start, end) === 0) return void s.socket.write(PONG); // tRPC's heartbeat
    // tRPC over WebSocket: { id, result: { type: 'data', id, data: { json: <tracked { id, data: message }> } } }.
    if (contains(buf, READY, start, end)) return becameReady(s);
    if (!contains(buf, STARTED, start, end)) complain(`unexpected message ${buf.toString('utf8', start, Math.min(end, start + 300))}`);
  } else if (opcode === 8) {
    failed(s, `closed with ${end - start >= 2 ? buf.readUInt16BE(start) : 'no code'}`);
    s.socket.destroy();
  } else if (opcode === 9) {
    s.socket.write(Buffer.concat([Buffer.from([0x8a, 0x80 | (end - start), 0, 0, 0, 0]), buf.subarray(start, end)]));
  }
}

/** The frames in buf[0, length): complete ones are handled in place, a partial one is copied aside. */
function onBytes(s: Subscriber, input: Buffer, length: number, at: number): void {
  let buf = input;
  let size = length;
  if (s.rest) {
    buf = Buffer.concat([s.rest, input.subarray(0, length)]);
    size = buf.length;
    s.rest = null;
  }
  let pos = 0;
  if (!s.upgraded) {
    const end = buf.indexOf(HEADERS_END);
    if (end < 0 || end >= size) return void (s.rest = Buffer.from(buf.subarray(0, size)));
    const status = buf.toString('latin1', 9, 12);
    if (status !== '101') return failed(s, `upgrade answered ${status}`);
    s.upgraded = true;
    pos = end + HEADERS_END.length;
    if (s.protocol === 'raw') becameReady(s);
    else {
      s.socket.write(clientFrame(JSON.stringify({ method: 'connectionParams', data: { token: s.token } })));
      s.socket.write(clientFrame(JSON.stringify({ id: 1, method: 'subscription', params: { path: 'realtime.tenant', input: { json: { types: ['bench.*'] } } } })));
    }
  }
  while (pos + 2 <= size) {
    const opcode = buf[pos]! & 0x0f;
    let length = buf[pos + 1]! & 0x7f;
    let header = 2;
    if (length === 126) {
      if (pos + 4 > size) break;
      length = buf.readUInt16BE(pos + 2);
      header = 4;
    } else if (length === 127) {
      if (pos + 10 > size) break;
      length = buf.readUInt32BE(pos + 2) * 2 ** 32 + buf.readUInt32BE(pos + 6);
      header = 10;
    }
    const start = pos + header;
    const end = start + length;
    if (end > size) break;
    onFrame(s, opcode, buf, start, end, at);
    pos = end;
  }
  // The shared read buffer is overwritten by the next read: a partial frame is copied.
  if (pos < size) s.rest = Buffer.from(buf.subarray(pos, size));
}

/** One buffer for every socket's reads: the callback runs synchronously, before the next read. */
const READ_BUFFER = Buffer.allocUnsafe(256 * 1024);

function open(url: string, protocol: 'trpc' | 'raw', token?: string): Promise<void> {
  const target = new URL(url);
  const path = protocol === 'trpc' ? '/ws?connectionParams=1' : '/';
  return new Promise((resolve) => {
    let settled = false;
    const s: Subscriber = {
      socket: null as unknown as Socket,
      protocol,
      token,
      upgraded: false,
      rest: null,
      state: 'pending',
      settle: () => {
        if (!settled) {
          settled = true;
          resolve();
        }
      },
    };
    s.socket = connect({
      host: target.hostname,
      port: Number(target.port),
      noDelay: true,
      onread: { buffer: READ_BUFFER, callback: (length: number, buf: Uint8Array) => (onBytes(s, buf as Buffer, length, now()), true) },
    });
    s.socket.on('connect', () => {
      s.socket.write(`GET ${path} HTTP/1.1\r\nHost: ${target.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    });
    s.socket.on('error', (error) => failed(s, error.message));
    s.socket.on('close', () => failed(s, 'closed'));
    // A subscriber not ready in time stops holding up the others (it may still become ready: the
    // count of ready ones is what is reported), so `pnpm bench` reports instead of hanging.
    setTimeout(s.settle, GIVE_UP_MS).unref();
    subscribers.push(s);
  });
}

/** The histogram's non-empty buckets, as [latency ms, count] pairs. */
function latencies(): [number, number][] {
  const pairs: [number, number][] = [];
  for (let i = 0; i < histogram.length; i++) if (histogram[i]) pairs.push([(i + 0.5) * BUCKET_MS, histogram[i]!]);
  return pairs;
}

process.on('message', async (command: Command) => {
  debug(`${command.type} (${count} so far)`);
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
    process.send!({ type: 'connected', open: subscribers.filter((s) => s.upgraded && !s.socket.destroyed).length, ready: readies, failures });
  } else if (command.type === 'reset') {
    histogram.fill(0);
    count = 0;
    lastArrival = 0;
    process.send!({ type: 'reset' });
  } else if (command.type === 'count') {
    process.send!({ type: 'counted', count, lastArrival });
  } else if (command.type === 'latencies') {
    process.send!({ type: 'latencies', latencies: latencies(), lastArrival });
  } else if (command.type === 'close') {
    for (const s of subscribers) s.socket.destroy();
    subscribers = [];
    process.send!({ type: 'closed' });
  }
});
process.send!({ type: 'started' });
