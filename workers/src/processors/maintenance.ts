import type { Job } from 'bullmq';
import { MaintenanceQueue, type ConsumerDeps, type MaintenanceTask } from '@plinto/kernel';
import { maintenanceTasks as moduleTasks } from '@plinto/platform';

/** A housekeeping task run on a schedule (a module's, or the workers' own). */
export type ScheduledTask = MaintenanceTask;

/** Dispatched outbox rows are kept for diagnosis, then deleted in bounded batches. */
const pruneOutbox: ScheduledTask = {
  name: 'outbox.prune',
  everyMs: 60 * 60 * 1000,
  run: async ({ orm, config }) => {
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
  },
};

/** The workers' own task, then every module's. */
export const maintenanceTasks: ScheduledTask[] = [pruneOutbox, ...moduleTasks];

export function maintenanceProcessor(deps: ConsumerDeps, tasks: ScheduledTask[]) {
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
