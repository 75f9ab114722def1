import { z } from 'zod';
import { EVENT_CATALOG, appEvent, fastQuery, recordEvent, recordEventCommitted, uuidv7, type Actor, type EntityManager, type ServiceContext } from '@plinto/kernel';
import { AuditErrors } from './errors';
import type { DataSchemaSpec } from './audit.schemas';
import { AuditEvents } from './events';

interface SchemaRow {
  id: string;
  action: string;
  description: string | null;
  data_schema: DataSchemaSpec;
  created_at: Date;
  updated_at: Date;
}

const toSchemaDto = (row: SchemaRow) => ({
  id: row.id,
  action: row.action,
  description: row.description,
  dataSchema: row.data_schema,
  createdAt: new Date(row.created_at).toISOString(),
  updatedAt: new Date(row.updated_at).toISOString(),
});

/**
 * Validators built, by declared schema (its JSON): building a zod object costs more than using it,
 * and appends of one event type repeat the same schema. Bounded: cleared when it grows large.
 */
const validators = new Map<string, z.ZodType>();

function validatorFor(spec: DataSchemaSpec): z.ZodType {
  const key = JSON.stringify(spec);
  let validator = validators.get(key);
  if (!validator) {
    if (validators.size >= 1000) validators.clear();
    validators.set(key, (validator = buildValidator(spec)));
  }
  return validator;
}

/** Builds a validator from a declared schema. Only data: the declaration is never executed. */
function buildValidator(spec: DataSchemaSpec): z.ZodType {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, field] of Object.entries(spec.fields)) {
    let type: z.ZodType;
    switch (field.type) {
      case 'string':
        type = field.maxLength ? z.string().max(field.maxLength) : z.string();
        break;
      case 'number':
        type = z.number();
        break;
      case 'integer':
        type = z.number().int();
        break;
      case 'boolean':
        type = z.boolean();
        break;
      case 'object':
        type = z.record(z.string(), z.unknown());
        break;
      case 'array':
        type = field.maxLength ? z.array(z.unknown()).max(field.maxLength) : z.array(z.unknown());
        break;
    }
    shape[name] = field.required ? type : type.optional();
  }
  const object = z.object(shape);
  return spec.additionalFields ? object.catchall(z.unknown()) : object.strict();
}

/** Declares (or replaces) the schema of an application event type for a tenant; needs audit:write. */
export async function declareAppEventSchema(sc: ServiceContext, input: { action: string; description?: string; dataSchema: DataSchemaSpec }) {
  await sc.authz.require('audit:write');
  const { em, actor } = sc;
  const tenantId = sc.tenant.id;
  if (sc.services.get(EVENT_CATALOG).has(input.action)) {
    throw AuditErrors.AUDIT_ACTION_RESERVED({ fields: [{ path: 'action', message: 'Plinto records this action itself' }] });
  }
  return em.transactional(async (tx) => {
    const [row] = await tx.execute<SchemaRow[]>(
      `insert into audit_event_schemas (id, tenant_id, action, description, data_schema)
       values (?, ?, ?, ?, ?::jsonb)
       on conflict (tenant_id, action) do update set description = excluded.description, data_schema = excluded.data_schema, updated_at = now()
       returning id, action, description, data_schema, created_at, updated_at`,
      [uuidv7(), tenantId, input.action, input.description ?? null, JSON.stringify(input.dataSchema)],
    );
    recordEvent(tx, actor, AuditEvents.of('audit.schema_declared', {
      tenantId,
      target: { type: 'audit_event_schema', id: row!.id },
      data: { action: input.action },
    }));
    await tx.flush();
    return toSchemaDto(row!);
  });
}

/** The application's declared event types; needs audit:read. */
export async function listAppEventSchemas(sc: ServiceContext): Promise<{ items: ReturnType<typeof toSchemaDto>[] }> {
  await sc.authz.require('audit:read');
  return { items: await appEventSchemas(sc.em, sc.tenant.id) };
}

export async function appEventSchemas(em: EntityManager, tenantId: string) {
  const rows = await em.execute<SchemaRow[]>(
    'select id, action, description, data_schema, created_at, updated_at from audit_event_schemas where tenant_id = ? order by action',
    [tenantId],
  );
  return rows.map(toSchemaDto);
}

/** The validators of the declared schemas among `actions` (an undeclared action has none). */
export async function schemaValidators(em: EntityManager, tenantId: string, actions: string[]): Promise<Map<string, z.ZodType>> {
  const rows = await fastQuery<Pick<SchemaRow, 'action' | 'data_schema'>>(
    em,
    'select action, data_schema from audit_event_schemas where tenant_id = ? and action = any(?::text[])',
    [tenantId, actions],
    'plinto_app_event_schemas',
  );
  return new Map(rows.map((r) => [r.action, validatorFor(r.data_schema)]));
}

export interface AppEventInput {
  action: string;
  actor?: { type: 'user' | 'api_key' | 'machine_client' | 'system'; id?: string };
  target?: { type: string; id: string };
  organizationId?: string;
  outcome?: 'success' | 'failure';
  data: Record<string, unknown>;
}

/**
 * Appends an event from the tenant's own backend, validated against its declared schema. It is
 * stored, queried, exported and chained beside Plinto's own events (source `app`), and fans out
 * to webhooks and realtime like any other event.
 */
export async function appendAppEvent(sc: ServiceContext, input: AppEventInput) {
  await sc.authz.require('audit:write');
  const { em, actor: caller } = sc;
  const tenantId = sc.tenant.id;
  const [schema] = await fastQuery<SchemaRow>(
    em,
    'select id, action, description, data_schema, created_at, updated_at from audit_event_schemas where tenant_id = ? and action = ?',
    [tenantId, input.action],
    'plinto_app_event_schema',
  );
  if (!schema) throw AuditErrors.AUDIT_SCHEMA_NOT_FOUND({ fields: [{ path: 'action', message: 'Not declared' }] });
  const parsed = validatorFor(schema.data_schema).safeParse(input.data);
  if (!parsed.success) {
    throw AuditErrors.AUDIT_DATA_INVALID({
      fields: parsed.error.issues.map((i) => ({ path: ['data', ...i.path.map(String)].join('.'), message: i.message, code: i.code })),
    });
  }
  // The actor is who the application says did it; the credential that reported it is kept too.
  const actor: Actor = input.actor ? { ...caller, type: input.actor.type, id: input.actor.id ?? null } : caller;
  // The event is the whole change: group-committed with concurrent appends, answered once committed.
  const id = await recordEventCommitted(em, actor, appEvent(input.action, {
    tenantId,
    organizationId: input.organizationId ?? null,
    target: input.target,
    outcome: input.outcome ?? 'success',
    data: { ...(parsed.data as Record<string, unknown>), recordedBy: { type: caller.type, id: caller.id } },
  }));
  return { id };
}

