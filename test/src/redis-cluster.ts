// A Redis Cluster of the calling test's own on loopback ports: `masters` masters with `replicas`
// replicas each, made with `redis-server --cluster-enabled yes` and `redis-cli --cluster create`.
// Imports nothing of the harness, so a test can start it (and point PLINTO_TEST_REDIS_URL at it)
// before the harness reads that variable.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export interface RedisClusterNode {
  port: number;
  proc: ChildProcess;
}

export interface TestRedisCluster {
  /** `redis+cluster://127.0.0.1:p1,...`, as REDIS_URL takes it. */
  url: string;
  nodes: RedisClusterNode[];
  /** The master serving `key`'s slot now. */
  masterOf(key: string): Promise<RedisClusterNode>;
  /** SIGKILLs a node (no goodbye to its peers), as a crashed host would. */
  kill(node: RedisClusterNode): Promise<void>;
  /** Resolves once the cluster reports ok from every live node and `port` serves as a master. */
  waitForState(check: (info: { masters: number[] }) => boolean, what: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const NODE_TIMEOUT_MS = 1000;

const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/** `count` ports whose cluster-bus twin (port + 10000) is free too. */
async function freeClusterPorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    if (ports.includes(port)) continue;
    if ((await portFree(port)) && (await portFree(port + 10_000))) ports.push(port);
  }
  return ports;
}

async function until(probe: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await probe()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function ask<T>(port: number, fn: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return await fn(redis);
  } finally {
    redis.disconnect();
  }
}

export async function startRedisCluster(options: { masters?: number; replicas?: number } = {}): Promise<TestRedisCluster> {
  const masters = options.masters ?? 3;
  const replicas = options.replicas ?? 0;
  const dir = mkdtempSync(join(tmpdir(), 'plinto-redis-cluster-'));
  const ports = await freeClusterPorts(masters * (1 + replicas));
  const nodes: RedisClusterNode[] = ports.map((port) => ({
    port,
    proc: spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`,
        '--cluster-node-timeout', String(NODE_TIMEOUT_MS), '--save', '', '--appendonly', 'no', '--dir', dir],
      { stdio: 'ignore' },
    ),
  }));
  const stop = async () => {
    await Promise.all(nodes.map((n) => kill(n)));
    rmSync(dir, { recursive: true, force: true });
  };
  const kill = async (node: RedisClusterNode) => {
    if (node.proc.exitCode !== null || node.proc.signalCode !== null) return;
    const exited = new Promise((resolve) => node.proc.once('exit', resolve));
    node.proc.kill('SIGKILL');
    await exited;
  };
  try {
    await Promise.all(ports.map((port) => until(() => ask(port, async (r) => (await r.ping()) === 'PONG'), `redis-server on ${port}`, 10_000)));
    const created = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', String(replicas), '--cluster-yes'], { encoding: 'utf8', timeout: 30_000 });
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}\n${created.stderr}`);
    const live = () => nodes.filter((n) => n.proc.exitCode === null && n.proc.signalCode === null);
    const waitForState: TestRedisCluster['waitForState'] = (check, what, timeoutMs = 20_000) =>
      until(
        async () => {
          const views = await Promise.all(
            live().map((n) =>
              ask(n.port, async (r) => {
                const info = String(await r.call('cluster', 'info'));
                const lines = String(await r.call('cluster', 'nodes')).trim().split('\n');
                const mastersUp = lines.filter((l) => / master /.test(` ${l.split(' ')[2]!.replace(/,/g, ' ')} `) && !/fail/.test(l.split(' ')[2]!)).map((l) => Number(/:(\d+)@/.exec(l)![1]));
                return { ok: info.includes('cluster_state:ok'), masters: mastersUp.sort() };
              }),
            ),
          );
          return views.every((v) => v.ok && v.masters.length === masters && v.masters.join() === views[0]!.masters.join()) && check({ masters: views[0]!.masters });
        },
        what,
        timeoutMs,
      );
    await waitForState(() => true, 'the new cluster to agree (cluster_state:ok)');
    if (replicas > 0) {
      // Every replica has finished its first sync, so a failover has somewhere to go.
      await until(
        async () => (await Promise.all(ports.map((p) => ask(p, async (r) => String(await r.info('replication'))))))
          .filter((info) => info.includes('role:slave')).every((info) => info.includes('master_link_status:up') && !info.includes('master_sync_in_progress:1')),
        'replicas in sync',
        20_000,
      );
    }
    return {
      url: `redis+cluster://${ports.map((p) => `127.0.0.1:${p}`).join(',')}`,
      nodes,
      async masterOf(key) {
        const slot = Number(await ask(live()[0]!.port, (r) => r.call('cluster', 'keyslot', key)));
        const lines = String(await ask(live()[0]!.port, (r) => r.call('cluster', 'nodes'))).trim().split('\n');
        for (const line of lines) {
          const fields = line.split(' ');
          if (!fields[2]!.includes('master') || fields[2]!.includes('fail')) continue;
          for (const range of fields.slice(8)) {
            const [from, to = from] = range.split('-').map(Number) as [number, number?];
            if (slot >= from && slot <= to!) return nodes.find((n) => n.port === Number(/:(\d+)@/.exec(line)![1]))!;
          }
        }
        throw new Error(`no master serves slot ${slot}`);
      },
      kill,
      waitForState,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
