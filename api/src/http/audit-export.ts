import { once } from 'node:events';
import type { Request, Response } from 'express';
import { AppError, callFacts, type CallFacts, type Logger, type ServiceContext } from '@plinto/kernel';
import { prepareAuditExport } from '@plinto/audit';
import { sendError } from './error-body';

/**
 * POST /v1/audit-logs/export streams its file (JSON Lines or CSV) instead of building it in memory,
 * so it cannot go through trpc-to-openapi (which JSON-encodes a whole result). Same context,
 * validation, views and error body as every other /v1 route; the tRPC form is `auditLogs.export`.
 */
export function auditExportRoute(serviceContextOf: (facts: CallFacts) => Promise<ServiceContext>, logger: Logger) {
  return async (req: Request, res: Response): Promise<void> => {
    let closed = false;
    res.on('close', () => (closed = true));
    try {
      const sc = await serviceContextOf(callFacts(req));
      const prepared = await prepareAuditExport(sc, req.body);
      res.status(200);
      res.setHeader('Content-Type', prepared.contentType);
      res.setHeader('Content-Disposition', `attachment; filename="${prepared.filename}"`);
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('X-Plinto-Export-Limit', String(prepared.limit));
      for await (const chunk of prepared.chunks) {
        if (closed) return; // the client went away: stop reading the table
        if (!res.write(chunk)) await once(res, 'drain');
      }
      res.end();
    } catch (error) {
      if (res.headersSent) {
        logger.error({ err: error, requestId: req.id }, 'audit export failed mid-stream');
        res.destroy(); // a truncated file must not look complete
        return;
      }
      if (error instanceof AppError) return sendError(res, error.appCode, { message: error.message, fields: error.fields });
      logger.error({ err: error, requestId: req.id }, 'audit export failed');
      sendError(res, 'INTERNAL');
    }
  };
}
