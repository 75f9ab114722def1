import type { Job } from 'bullmq';
import { auditPartitionsTask, auditRetentionTask } from './audit-maintenance';
import { webhooksRequeueTask } from './webhooks-maintenance';
import { signingKeysTask, tokenStateTask } from './auth-maintenance';
import { invitationsExpireTask } from './invitations-maintenance';
import { MaintenanceQueue, type Config, type Logger, type MikroORM } from '@plinto/kernel';

/** A housekeeping task run on a schedule; returns a summary for the job's return value. */
export type MaintenanceTask = (deps: { orm: MikroORM; config: Config; logger: Logger }) => Promise<Record<string, unknown>>;

export interface ScheduledTask {
  name: string;
  /** Run every this many milliseconds. */
  everyMs: number;
  run: MaintenanceTask;
}

/** Dispatched outbox rows are kept for diagnosis, then deleted in bounded batches. */
const pruneOutbox: MaintenanceTask = async ({ orm, config }) => {
  const em = orm.em.fork();
  let deleted = 0;
  for (;;) {
    const rows: { id: string }[] = await em.execute(
      `delete from outbox where id in (
         select id from outbox
          where dispatched_at is not null and dispatched_at < now() - make_interval(hours => ?)
          limit 5000)
       returning id`,
      [config.OUTBOX_RETENTION_HOURS],
    );
    deleted += rows.length;
    if (rows.length < 5000) return { deleted };
  }
};

export const maintenanceTasks: ScheduledTask[] = [
  { name: 'outbox.prune', everyMs: 60 * 60 * 1000, run: pruneOutbox },
  auditPartitionsTask,
  auditRetentionTask,
  webhooksRequeueTask,
  invitationsExpireTask,
  signingKeysTask,
  tokenStateTask,
];

export function maintenanceProcessor(deps: { orm: MikroORM; config: Config; logger: Logger }, tasks: ScheduledTask[]) {
  const byName = new Map(tasks.map((t) => [t.name, t]));
  return async (job: Job): Promise<Record<string, unknown>> => {
    const { task } = MaintenanceQueue.payload.parse(job.data);
    const scheduled = byName.get(task);
    if (!scheduled) throw new Error(`Unknown maintenance task ${task}`);
    const result = await scheduled.run(deps);
    deps.logger.info({ task, ...result }, 'maintenance task done');
    return result;
  };
}
