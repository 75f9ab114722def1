import { readFileSync, readdirSync } from 'node:fs';

/** A process of this machine, read from /proc (Linux). */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  cmdline: string;
}

function read(pid: number): ProcessInfo | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: fields resume after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    return { pid, ppid, cmdline };
  } catch {
    return null; // gone meanwhile
  }
}

export function processes(): ProcessInfo[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => read(Number(name)))
    .filter((p): p is ProcessInfo => p !== null && p.cmdline !== '');
}

/** `root` and every process below it, now. */
export function descendants(root: number): ProcessInfo[] {
  const all = processes();
  const found: ProcessInfo[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    for (const p of all) {
      if (p.ppid !== pid) continue;
      found.push(p);
      queue.push(p.pid);
    }
  }
  return found;
}

export const isAlive = (pid: number): boolean => read(pid) !== null;

/** Processes whose environment holds `marker` (e.g. this test's unique QUEUE_PREFIX=...). */
export function processesWithEnv(marker: string): ProcessInfo[] {
  return processes().filter((p) => {
    try {
      return readFileSync(`/proc/${p.pid}/environ`, 'utf8').split('\0').includes(marker);
    } catch {
      return false;
    }
  });
}
