// What one realtime WebSocket connection holds in the api's heap: a heap snapshot of the api
// before and after BENCH_REALTIME_SUBSCRIBERS (default here 2,000) subscribers connect (the bench's
// load client and setup), compared by constructor — count and bytes per connection, largest first.
//
//   BENCH_REALTIME_SUBSCRIBERS=2000 tsx bench/src/tools/realtime-heap.ts [top]
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

process.env.BENCH_REALTIME_SUBSCRIBERS ??= '2000';
const DIR = process.env.BENCH_HEAP_DIR ?? '/tmp/plinto-realtime-heap';
mkdirSync(DIR, { recursive: true });
process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${DIR}`;
const { child, LOAD_CLIENT, plintoSide, SUBSCRIBERS } = await import('../realtime');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Asks the process for a heap snapshot (a full GC first) and waits for the file to be complete. */
async function snapshot(pid: number): Promise<string> {
  const before = new Set(readdirSync(DIR));
  process.kill(pid, 'SIGUSR2');
  for (;;) {
    await sleep(500);
    const file = readdirSync(DIR).find((f) => !before.has(f) && f.endsWith('.heapsnapshot'));
    if (!file) continue;
    const path = join(DIR, file);
    try {
      JSON.parse(readFileSync(path, 'utf8'));
      return path;
    } catch {
      // still being written
    }
  }
}

/** Self size and count per "type:name" (constructor, or string/closure/code kind). */
function byConstructor(path: string): Map<string, { count: number; bytes: number }> {
  const snap = JSON.parse(readFileSync(path, 'utf8')) as { snapshot: { meta: { node_fields: string[]; node_types: [string[]] } }; nodes: number[]; strings: string[] };
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = [fields.indexOf('type'), fields.indexOf('name'), fields.indexOf('self_size')];
  const out = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < snap.nodes.length; i += fields.length) {
    const type = types[snap.nodes[i + typeAt]!]!;
    const name = type === 'object' || type === 'closure' || type === 'native' ? snap.strings[snap.nodes[i + nameAt]!]! : `(${type})`;
    const key = `${type}:${name.slice(0, 60)}`;
    const entry = out.get(key) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += snap.nodes[i + sizeAt]!;
    out.set(key, entry);
  }
  return out;
}

const side = await plintoSide();
const load = child(LOAD_CLIENT);
await load.first;
try {
  await sleep(2000);
  const pid = side.pid;
  const empty = await snapshot(pid);
  await side.connect(load);
  await sleep(3000);
  const full = await snapshot(pid);
  const [a, b] = [byConstructor(empty), byConstructor(full)];
  const rows = [...b].map(([key, { count, bytes }]) => ({ key, count: (count - (a.get(key)?.count ?? 0)) / SUBSCRIBERS, bytes: (bytes - (a.get(key)?.bytes ?? 0)) / SUBSCRIBERS }));
  rows.sort((x, y) => y.bytes - x.bytes);
  const total = rows.reduce((sum, r) => sum + r.bytes, 0);
  process.stdout.write(`heap per connection: ${(total / 1024).toFixed(2)} KiB (${SUBSCRIBERS} connections; snapshots ${empty}, ${full})\n`);
  for (const r of rows.slice(0, Number(process.argv[2] ?? 40))) process.stdout.write(`${r.bytes.toFixed(0).padStart(7)} B  ${r.count.toFixed(2).padStart(7)} ×  ${r.key}\n`);
} finally {
  await load.ask({ type: 'close' }, 'closed');
  await load.stop();
  await side.stop();
}
