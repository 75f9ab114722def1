import { z } from 'zod';
import { procedure } from '@plinto/kernel';
import { appAction, appEventFields, dataSchemaSpec } from '../audit.schemas';
import { appendAppEvent, declareAppEventSchema, listAppEventSchemas } from '../app-events.service';

const schemaOutput = z
  .object({
    id: z.uuid(),
    action: z.string(),
    description: z.string().nullable(),
    dataSchema: dataSchemaSpec,
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'AuditEventSchema' });

export const declareSchemaProcedure = procedure
  .meta({
    permission: 'audit:write',
    openapi: {
      method: 'POST',
      path: '/audit-logs/schemas',
      tags: ['audit'],
      summary: "Declare (or replace) the schema of one of your application's audit event types",
      protect: true,
    },
  })
  .input(z.object({ action: appAction, description: z.string().max(500).optional(), dataSchema: dataSchemaSpec }))
  .output(schemaOutput)
  .mutation(({ ctx, input }) => declareAppEventSchema(ctx.sc, input));

export const listSchemasProcedure = procedure
  .meta({ permission: 'audit:read', openapi: { method: 'GET', path: '/audit-logs/schemas', tags: ['audit'], summary: 'Declared application event types', protect: true } })
  .input(z.object({}).optional())
  .output(z.object({ items: z.array(schemaOutput) }))
  .query(({ ctx }) => listAppEventSchemas(ctx.sc));

export const appendEventProcedure = procedure
  .meta({
    permission: 'audit:write',
    openapi: {
      method: 'POST',
      path: '/audit-logs/events',
      tags: ['audit'],
      summary: "Append an event from your application's backend (validated against its declared schema)",
      protect: true,
    },
    successStatus: 201,
  })
  .input(z.object(appEventFields))
  .output(z.object({ id: z.uuid() }))
  .mutation(({ ctx, input }) => appendAppEvent(ctx.sc, input));
