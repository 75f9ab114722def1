import { defineEventTypes, eventTypeCatalog, type EntityManager } from '@plinto/kernel';
import { z } from 'zod';
import { listAppEventSchemas } from './app-events.service';

defineEventTypes('audit', {
  'audit.retention_applied': {
    description: 'Retention removed audit events older than the retention period (records where the chain was cut)',
    data: z.object({ droppedPartitions: z.array(z.string()), deletedRows: z.number(), checkpoints: z.number() }),
  },
  'audit.schema_declared': {
    description: "A tenant declared (or changed) the schema of one of its application's audit event types",
    data: z.object({ action: z.string() }),
  },
  'audit.exported': {
    description: 'Audit events were exported',
    data: z.object({ format: z.enum(['jsonl', 'csv']) }),
  },
});

/**
 * Every action that can appear in this tenant's log, with a description: Plinto's own, from the
 * event catalog the modules declare and record from, and the tenant application's declared ones.
 */
export async function listActions(em: EntityManager, tenantId: string) {
  const plinto = eventTypeCatalog().map((t) => ({ action: t.type, description: t.description, source: 'plinto' as const, module: t.module }));
  const app = (await listAppEventSchemas(em, tenantId)).map((s) => ({
    action: s.action,
    description: s.description ?? '',
    source: 'app' as const,
    module: null,
  }));
  return { items: [...plinto, ...app] };
}
