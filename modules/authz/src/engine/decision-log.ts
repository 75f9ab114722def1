import { uuidv7, type Logger, type MikroORM } from '@plinto/kernel';
import type { DecisionRequest } from './compiled';
import type { EngineDecision } from './engine';

const FLUSH_MS = 250;
const MAX_BUFFER = 10_000;

/**
 * The decision audit trail: sampled decisions with their input and outcome, written in batches
 * after the request (never inside it), so logging costs the request path nothing but a push.
 */
export class DecisionLog {
  private buffer: unknown[][] = [];
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly orm: MikroORM,
    private readonly logger: Logger,
  ) {}

  add(tenantId: string, request: DecisionRequest, decision: EngineDecision, input: Record<string, unknown>): void {
    if (this.buffer.length >= MAX_BUFFER) return;
    const now = new Date();
    this.buffer.push([
      uuidv7(now.getTime()),
      tenantId,
      request.subject,
      request.action,
      request.resource,
      request.domain === '*' ? null : request.domain,
      decision.allow,
      decision.source,
      decision.decidedBy,
      decision.reason,
      decision.version,
      JSON.stringify({ ...input, subject: request.subject, action: request.action, resource: request.resource, domain: request.domain }),
      now,
    ]);
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  flush(): Promise<void> {
    this.timer = undefined;
    const rows = this.buffer.splice(0);
    if (rows.length === 0) return this.flushing;
    this.flushing = this.flushing.then(async () => {
      try {
        const placeholders = rows.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ');
        await this.orm.em.fork().execute(
          `insert into authz_decisions (id, tenant_id, subject, action, resource, organization_id, allow, source, decided_by, reason, policy_version, input, occurred_at) values ${placeholders}`,
          rows.flat(),
        );
      } catch (error) {
        this.logger.warn({ err: error, rows: rows.length }, 'authz: could not write the decision log');
      }
    });
    return this.flushing;
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    await this.flush();
  }
}
