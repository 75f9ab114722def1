import { procedure } from '@plinto/kernel';
import { exportInput } from '../audit.schemas';
import { prepareAuditExport } from '../export';

/**
 * The tRPC form of the export: a streamed query (use httpBatchStreamLink on the client) yielding
 * JSON Lines or CSV chunks. REST clients use POST /v1/audit-logs/export, which streams a file.
 */
export const exportAuditLogsProcedure = procedure
  .meta({ permission: 'audit:read' })
  .input(exportInput)
  .query(async function* ({ ctx, input }) {
    const prepared = await prepareAuditExport(ctx.sc, input);
    for await (const chunk of prepared.chunks) yield chunk;
  });
