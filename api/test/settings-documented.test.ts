import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { configSchema } from '@plinto/kernel';
import { configSections } from '@plinto/platform';

/**
 * Every setting is documented once: one table row (`| \`NAME\` | default | meaning |`) in the
 * root README (the kernel's, email, observability, audit) or in its module's README — never two
 * rows that could disagree — and every documented row is a setting the code reads.
 */
const ROOT = new URL('../../', import.meta.url);
const docs = ['README.md', ...readdirSync(new URL('modules/', ROOT)).map((m) => `modules/${m}/README.md`).filter((f) => existsSync(new URL(f, ROOT)))];
/** Read by Node, the start script or the OpenTelemetry SDK rather than by `loadConfig`. */
const OUTSIDE_LOAD_CONFIG = new Set(['UV_THREADPOOL_SIZE', 'OTEL_TRACES_EXPORTER', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_SERVICE_NAME', 'PLINTO_TEST_REDIS_URL', 'PLINTO_TEST_DATABASE_BASE']);
/** Read by loadConfig for a setting documented under another name (AWS's own variable). */
const ALIASES = new Set(['AWS_REGION']);

describe('settings documentation', () => {
  it('has exactly one row for every setting, and no row for a setting that does not exist', () => {
    const rows = new Map<string, string[]>();
    for (const file of docs) {
      for (const match of readFileSync(new URL(file, ROOT), 'utf8').matchAll(/^\|\s*`([A-Z][A-Z0-9_]+)`(?:,\s*`([A-Z][A-Z0-9_]+)`)?\s*\|/gm)) {
        for (const name of [match[1], match[2]].filter(Boolean) as string[]) rows.set(name, [...(rows.get(name) ?? []), file]);
      }
    }
    const settings = new Set([...Object.keys(configSchema.shape), ...configSections.flatMap((section) => Object.keys(section.shape))]);
    const undocumented = [...settings].filter((name) => !rows.has(name) && !ALIASES.has(name));
    const twice = [...rows].filter(([, files]) => files.length > 1).map(([name, files]) => `${name}: ${files.join(', ')}`);
    const unknown = [...rows.keys()].filter((name) => !settings.has(name) && !OUTSIDE_LOAD_CONFIG.has(name));
    expect({ undocumented, twice, unknown }).toEqual({ undocumented: [], twice: [], unknown: [] });
  });
});
