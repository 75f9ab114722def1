// `pnpm bench [name...]`: runs every benchmark (or the named ones) and prints one table:
// the figure, the raw baseline measured in the same run, and their ratio.
import { readdirSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Benchmark, BenchRow } from './types';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const NOT_SUITES = new Set(['run.ts', 'types.ts', 'load.ts', 'processes.ts', 'cpu-meter.ts']);

async function discover(): Promise<Benchmark[]> {
  const suites: Benchmark[] = [];
  for (const file of readdirSync(HERE).filter((f) => f.endsWith('.ts') && !NOT_SUITES.has(f)).sort()) {
    const mod = (await import(`./${file}`)) as { benchmarks?: Benchmark[] };
    suites.push(...(mod.benchmarks ?? []));
  }
  return suites;
}

const format = (value: number, unit: string) =>
  `${value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(value >= 10 ? 1 : 3)} ${unit}`;

function table(rows: (BenchRow & { suite: string })[]): string {
  const header = ['suite', 'measure', 'figure', 'baseline (same run)', 'ratio', 'goal', 'note'];
  const lines = rows.map((r) => {
    const ratio = r.ratio ?? (r.higherIsBetter ? r.figure / r.baseline : r.baseline / r.figure);
    if (Number.isNaN(r.figure)) return [r.suite, r.name, 'pending', `(${r.baselineName})`, '-', r.goal ?? '', r.note ?? ''];
    return [r.suite, r.name, format(r.figure, r.unit), `${format(r.baseline, r.unit)} (${r.baselineName})`, ratio.toFixed(2), r.goal ?? '', r.note ?? ''];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const render = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [render(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(render)].join('\n');
}

const only = process.argv.slice(2);
const suites = (await discover()).filter((s) => only.length === 0 || only.includes(s.name));
const rows: (BenchRow & { suite: string })[] = [];
const loadNow = () => loadavg().map((l) => l.toFixed(1)).join(' / ');
const loadAtStart = loadNow();
for (const suite of suites) {
  process.stderr.write(`running ${suite.name}...\n`);
  try {
    for (const row of await suite.run()) rows.push({ ...row, suite: suite.name });
  } catch (error) {
    process.stderr.write(`  ${suite.name} failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  }
}
console.log(`\nPlinto benchmarks (ratio 1.00 = as good as the raw baseline; figures on this machine, this run)\n`);
console.log(table(rows));
console.log(`\nmachine: ${availableParallelism()} cores; load average (1 / 5 / 15 min) ${loadAtStart} at the start, ${loadNow()} at the end`);
