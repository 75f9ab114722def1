import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';

/** Busy and idle jiffies of all cores, from /proc/stat (Linux). */
function cpuTimes(): { busy: number; total: number } | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const idle = fields[3]! + (fields[4] ?? 0); // idle + iowait
    const total = fields.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/**
 * What the machine is doing besides us, for the record next to the figures: load averages and the
 * share of all cores busy over the next `sampleMs` (while this process sleeps). On a shared machine
 * absolute figures move with it; same-run ratios much less.
 */
export async function machineLoad(sampleMs = 1000): Promise<string> {
  const before = cpuTimes();
  await new Promise((resolve) => setTimeout(resolve, sampleMs));
  const after = cpuTimes();
  const busy = before && after ? `${(((after.busy - before.busy) / Math.max(1, after.total - before.total)) * 100).toFixed(0)}% of ${availableParallelism()} cores busy over ${sampleMs / 1000} s` : 'cpu busy n/a';
  return `load average ${loadavg().map((l) => l.toFixed(2)).join(' / ')} (1/5/15 min), ${busy}`;
}
