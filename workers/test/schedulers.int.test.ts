import { afterAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { createLogger, createRedis, MaintenanceQueue } from '@plinto/kernel';
import { dropTestDatabases, testConfig, waitFor } from '@plinto/kernel/testing';
import { startWorkers, type ScheduledTask } from '@plinto/workers';

afterAll(() => dropTestDatabases());

describe('maintenance schedulers', () => {
  it('are registered idempotently at boot: two boots, two processes, one scheduler per task; and they run', async () => {
    const config = await testConfig();
    const logger = createLogger(config, 'test');
    let runs = 0;
    const tasks: ScheduledTask[] = [
      { name: 'test.tick', everyMs: 200, run: async () => ({ run: ++runs }) },
      { name: 'test.daily', everyMs: 24 * 3600 * 1000, run: async () => ({}) },
    ];
    const first = await startWorkers(config, logger, { tasks });
    const second = await startWorkers(config, logger, { tasks });
    await Promise.all([first.schedulersReady, second.schedulersReady]);
    await first.close();
    const third = await startWorkers(config, logger, { tasks });
    await third.schedulersReady;

    const connection = createRedis(config.REDIS_URL, 'worker', 'test');
    const queue = new Queue(MaintenanceQueue.name, { connection, prefix: config.QUEUE_PREFIX });
    try {
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers.map((s) => s.key).sort()).toEqual(['test.daily', 'test.tick']);
      await waitFor(() => runs >= 2, 'the scheduled task to run twice');
    } finally {
      await queue.close();
      connection.disconnect();
      await Promise.all([second.close(), third.close()]);
    }
  });
});
