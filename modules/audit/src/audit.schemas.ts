import { z } from 'zod';
import { pageInput } from '@plinto/kernel';

/** Filters shared by query, export and stats. All optional; combined with AND. */
export const auditFilters = {
  actorId: z.string().max(200).optional().describe('Events done by this actor (user id, API key id, ...)'),
  actorType: z.enum(['user', 'platform_operator', 'api_key', 'machine_client', 'system']).optional(),
  action: z
    .string()
    .max(200)
    .regex(/^[a-z0-9_.*-]+$/i, 'Letters, digits, dots, underscores, hyphens; a trailing * or . is a prefix')
    .optional()
    .describe('Exact action (`user.created`), or a prefix ending in `.` or `*` (`user.`, `user.*`)'),
  targetType: z.string().max(100).optional(),
  targetId: z.string().max(200).optional(),
  organizationId: z.uuid().optional(),
  from: z.iso.datetime().optional().describe('Inclusive lower bound of occurredAt'),
  to: z.iso.datetime().optional().describe('Exclusive upper bound of occurredAt'),
  ip: z.string().max(64).optional().describe('Client IP address'),
  outcome: z.enum(['success', 'failure']).optional(),
  source: z.enum(['plinto', 'app']).optional().describe("Plinto's own events or the tenant backend's"),
};

export const auditFilterInput = z.object(auditFilters);
export type AuditFilters = z.infer<typeof auditFilterInput>;

export const auditListInput = z.object({ ...pageInput, ...auditFilters });

export const auditEventOutput = z
  .object({
    id: z.uuid(),
    tenantId: z.uuid().nullable(),
    organizationId: z.uuid().nullable(),
    actor: z.object({ type: z.string(), id: z.string().nullable() }),
    action: z.string(),
    source: z.enum(['plinto', 'app']),
    target: z.object({ type: z.string(), id: z.string() }).nullable(),
    outcome: z.enum(['success', 'failure']),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    requestId: z.string().nullable(),
    data: z.record(z.string(), z.unknown()),
    occurredAt: z.iso.datetime(),
  })
  .meta({ id: 'AuditEvent' });

export type AuditEventDto = z.infer<typeof auditEventOutput>;

export const exportInput = z.object({
  ...auditFilters,
  format: z.enum(['jsonl', 'csv']).default('jsonl'),
  limit: z.coerce.number().int().min(1).optional().describe('At most this many rows (capped by AUDIT_EXPORT_MAX_RECORDS)'),
});
export type ExportInput = z.infer<typeof exportInput>;

const fieldSpec = z.strictObject({
  type: z.enum(['string', 'number', 'integer', 'boolean', 'object', 'array']),
  required: z.boolean().default(false),
  maxLength: z.number().int().positive().max(10_000).optional(),
  description: z.string().max(500).optional(),
});

/** The declared shape of an application event's `data`: named fields of simple types. */
export const dataSchemaSpec = z.strictObject({
  fields: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'Field names are identifiers'), fieldSpec).default({}),
  additionalFields: z.boolean().default(false).describe('Accept fields that are not declared'),
});
export type DataSchemaSpec = z.infer<typeof dataSchemaSpec>;

export const appAction = z
  .string()
  .min(3)
  .max(100)
  .regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/, 'Dotted lowercase words, e.g. `invoice.paid`');

/** The fields of an event an application appends (one at a time or in a batch). */
export const appEventFields = {
  action: appAction,
  actor: z.object({ type: z.enum(['user', 'api_key', 'machine_client', 'system']), id: z.string().max(200).optional() }).optional(),
  target: z.object({ type: z.string().min(1).max(100), id: z.string().min(1).max(200) }).optional(),
  organizationId: z.uuid().optional(),
  outcome: z.enum(['success', 'failure']).optional(),
  data: z.record(z.string(), z.unknown()).default({}),
};
