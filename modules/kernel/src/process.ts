import type { z } from 'zod';
import { ConfigError, loadConfig, type Config } from './config';
import { createLogger, type Logger } from './logger';

/**
 * Runs one Plinto process (api, workers): loads the configuration (an invalid value exits 1 with a
 * message naming the variable), starts it, and on SIGTERM/SIGINT lets it finish its in-flight work
 * (`close`) before exiting 0 — or 1 if closing fails. `ready` is sent to a parent process over IPC.
 */
export async function runProcess(
  name: string,
  sections: z.ZodObject[],
  start: (config: Config, logger: Logger) => Promise<{ close(): Promise<void>; ready?: Record<string, unknown> }>,
): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env, sections);
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  }
  const logger = createLogger(config, name);
  let running: { close(): Promise<void>; ready?: Record<string, unknown> };
  try {
    running = await start(config, logger);
  } catch (error) {
    logger.fatal({ err: error }, `${name} failed to start`);
    process.exit(1);
  }
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down: finishing in-flight work');
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  // Only now tell a parent process (tests, supervisors) that we are up: a SIGTERM it sends in
  // answer finds the handlers above in place.
  process.send?.({ type: 'ready', ...running.ready });
}
