import { eventRows, fastQuery, type Actor, type DomainEvent, type EntityManager, type EventRows } from '@plinto/kernel';

/**
 * Group commit of machine-token issuance events (`client.token_issued`). Issuing a
 * client_credentials token changes no state, but the audit log must still hold every issued token
 * before the token is handed out. So each grant waits for its event to be committed — yet not in a
 * transaction of its own: grants arriving while one batch is being written share the next batch,
 * one multi-row statement (audit rows and their outbox rows, atomic by itself) for up to
 * MAX_BATCH grants. Under load that is one round trip for many tokens; alone, one for one.
 */
const MAX_BATCH = 500;

interface Waiting {
  rows: EventRows;
  done: (error?: unknown) => void;
}

let queued: Waiting[] = [];
let writing = false;

export function recordIssuance(em: EntityManager, actor: Actor, event: DomainEvent): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    queued.push({ rows: eventRows(actor, event), done: (error) => (error ? reject(error) : resolve()) });
    if (!writing) void drain(em);
  });
}

async function drain(em: EntityManager): Promise<void> {
  writing = true;
  try {
    while (queued.length > 0) {
      const batch = queued.slice(0, MAX_BATCH);
      queued = queued.slice(batch.length);
      try {
        await writeBatch(em, batch.map((w) => w.rows));
        for (const w of batch) w.done();
      } catch (error) {
        for (const w of batch) w.done(error);
      }
    }
  } finally {
    writing = false;
  }
}

const AUDIT_COLUMNS = 'id, tenant_id, organization_id, actor_type, actor_id, action, source, target_type, target_id, outcome, ip, user_agent, request_id, data, occurred_at';
const OUTBOX_COLUMNS = 'id, tenant_id, queue, job_name, payload, created_at, available_at';

/** One statement: every audit row and every outbox row of the batch. */
function writeBatch(em: EntityManager, events: EventRows[]): Promise<unknown> {
  const params: unknown[] = [];
  const audit = events.map(({ audit: a }) => {
    params.push(a.id, a.tenantId, a.organizationId, a.actorType, a.actorId, a.action, a.source, a.targetType, a.targetId, a.outcome, a.ip, a.userAgent, a.requestId, JSON.stringify(a.data), a.occurredAt);
    return '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?)';
  });
  const outbox = events.flatMap((e) =>
    e.outbox.map((o) => {
      params.push(o.id, o.tenantId, o.queue, o.jobName, JSON.stringify(o.payload), o.createdAt, o.availableAt);
      return '(?, ?, ?, ?, ?::jsonb, ?, ?)';
    }),
  );
  return fastQuery(
    em.fork(),
    `with issued as (insert into audit_events (${AUDIT_COLUMNS}) values ${audit.join(', ')})
     insert into outbox (${OUTBOX_COLUMNS}) values ${outbox.join(', ')}`,
    params,
  );
}
