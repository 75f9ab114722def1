import { ConfigError, createLogger, loadConfig } from '@plinto/kernel';
import { startWorkers } from './runtime';

let config;
try {
  config = loadConfig();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
const logger = createLogger(config, 'plinto-workers');

try {
  const runtime = await startWorkers(config, logger);
  logger.info('workers running: outbox relay, domain events, maintenance');
  process.send?.({ type: 'ready' });
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down: finishing the jobs in hand');
    runtime.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
} catch (error) {
  logger.fatal({ err: error }, 'workers failed to start');
  process.exit(1);
}
