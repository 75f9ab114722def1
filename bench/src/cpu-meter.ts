import pg from 'pg';
import { processCpuMicros } from './proc-cpu';

/**
 * CPU time per operation of each process taking part in a bench (far less sensitive to a shared
 * machine's load than throughput): named processes by pid, this bench process itself (which hosts
 * sinks), the PostgreSQL backends serving the bench database (found in pg_stat_activity at the start
 * and at the end; one started in between counts from its birth). Redis is left out: it serves
 * every session on the machine.
 */
export async function cpuMeter(databaseUrl: string, pids: Record<string, number>) {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const backends = async () =>
    (await db.query<{ pid: number }>('select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()')).rows.map((r) => r.pid);
  const sample = async () => {
    const pgPids = await backends();
    const own = process.cpuUsage();
    return {
      named: Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuMicros(pid)])),
      bench: own.user + own.system,
      pg: new Map(pgPids.map((pid) => [pid, cpuMicros(pid)])),
    };
  };
  const start = await sample();
  return {
    /** µs of CPU per operation for each process, since the meter started. */
    async perOp(ops: number): Promise<Record<string, number>> {
      const end = await sample();
      let pgMicros = 0;
      for (const [pid, micros] of end.pg) pgMicros += micros - (start.pg.get(pid) ?? 0);
      const out: Record<string, number> = {};
      for (const name of Object.keys(pids)) out[name] = (end.named[name]! - start.named[name]!) / ops;
      out['bench (+ sink)'] = (end.bench - start.bench) / ops;
      out.postgres = pgMicros / ops;
      await db.end();
      return out;
    },
  };
}

/** Formats per-op CPU figures as `api 512 µs, workers 800 µs, …`. */
export function formatCpu(perOp: Record<string, number>): string {
  return Object.entries(perOp)
    .map(([name, micros]) => `${name} ${micros.toFixed(0)} µs`)
    .join(', ');
}

const cpuMicros = (pid: number) => processCpuMicros(pid).total;
