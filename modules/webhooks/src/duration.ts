/**
 * Durations in configuration: `250ms`, `5s`, `5m`, `2h`, `1d`, or a bare number of seconds.
 * Parsed to milliseconds at process start, so a typo stops the process instead of misbehaving.
 */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/i.exec(value.trim());
  if (!match) throw new Error(`"${value}" is not a duration (e.g. 250ms, 5s, 5m, 2h, 1d)`);
  return Math.round(Number(match[1]) * UNIT_MS[(match[2] ?? 's').toLowerCase()]!);
}

/** `0,5s,5m` → [0, 5000, 300000]. */
export function parseDurationList(value: string): number[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(parseDuration);
}
