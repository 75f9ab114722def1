import { runProcess } from '@plinto/kernel';
import { configSections } from '@plinto/platform';
import { startWorkers } from './runtime';

await runProcess('plinto-workers', configSections, async (config, logger) => {
  const runtime = await startWorkers(config, logger);
  logger.info('workers running: outbox relay, audit chainer, queue consumers, maintenance');
  return runtime;
});
