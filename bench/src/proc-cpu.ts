import { readFileSync } from 'node:fs';

/**
 * A process's CPU time so far from /proc (Linux), in microseconds: user + system, and system alone
 * (the kernel's share — for a socket server, mostly its sends). Clock ticks are 100 per second.
 * Zeros once the process is gone, so a meter read after a child exited does not throw.
 */
export function processCpuMicros(pid: number): { total: number; system: number } {
  try {
    // utime and stime are fields 14 and 15 of the line; the command name before ') ' may hold spaces.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return { total: (Number(fields[11]) + Number(fields[12])) * 10_000, system: Number(fields[12]) * 10_000 };
  } catch {
    return { total: 0, system: 0 };
  }
}
