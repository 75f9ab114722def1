// Ad-hoc: the api process's CPU time per JWKS answer (from /proc), N requests on one keep-alive connection.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Agent, request } from 'node:http';
import { startApiProcess } from '../processes';

const N = Number(process.argv[2] ?? 3000);
const cpuMs = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
};
const api = await startApiProcess({ PORT: '0', QUEUE_PREFIX: 'plinto_bench_edge', LOG_LEVEL: 'error' });
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const get = () => new Promise<void>((resolve, reject) => request({ host: '127.0.0.1', port: api.port, path: '/t/default/.well-known/jwks.json', agent }, (r) => { r.resume(); r.on('end', resolve); }).on('error', reject).end());
for (let i = 0; i < 500; i++) await get();
const results: string[] = [];
for (let round = 0; round < 3; round++) {
  const before = cpuMs(api.pid);
  const t = performance.now();
  for (let i = 0; i < N; i++) await get();
  results.push(`${((cpuMs(api.pid) - before) / N * 1000).toFixed(0)} µs CPU/req, ${((performance.now() - t) / N).toFixed(2)} ms/req`);
}
console.log(results.join('; '), `load ${loadavg()[0]!.toFixed(1)}`);
agent.destroy();
await api.stop();
