import { runProcess } from '@plinto/kernel';
import { startWorkers } from './runtime';

await runProcess('plinto-workers', async (config, logger) => {
  const runtime = await startWorkers(config, logger);
  logger.info({ metrics: runtime.metricsUrl }, 'workers running: outbox relay, audit chainer, queue consumers, maintenance');
  return { close: runtime.close, ready: { metricsUrl: runtime.metricsUrl } };
});
