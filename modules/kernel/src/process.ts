import type { z } from 'zod';
import { ConfigError, loadConfig, type Config } from './config';
import { createLogger, type Logger } from './logger';
import { startTracing } from './observability/tracing';

/**
 * Runs one Plinto process (api, workers): loads the configuration (an invalid value exits 1 with
 * one line naming the variables, no stack trace), starts it, and on SIGTERM/SIGINT lets it finish
 * its in-flight work (`close`) before exiting 0 — or 1 if closing fails. `ready` is sent to a
 * parent process over IPC; when that parent's channel closes (the supervisor died), the process
 * shuts down the same way instead of running on as an orphan.
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
    exitOnStartError(name, error);
  }
  const logger = createLogger(config, name);
  // Before anything runs: OTEL_TRACES_EXPORTER=otlp turns tracing on (off by default).
  let tracing: ReturnType<typeof startTracing>;
  try {
    tracing = startTracing({ serviceName: name });
  } catch (error) {
    exitOnStartError(name, new ConfigError((error as Error).message, ['OTEL_TRACES_EXPORTER']));
  }
  let running: { close(): Promise<void>; ready?: Record<string, unknown> };
  try {
    running = await start(config, logger);
  } catch (error) {
    if (error instanceof ConfigError) exitOnStartError(name, error);
    logger.fatal({ err: error }, `${name} failed to start`);
    process.exit(1);
  }
  let stopping = false;
  const shutdown = (reason: string) => {
    // A second signal (a terminal's Ctrl-C reaches the whole process group, and the supervisor
    // forwards it too) must not cut the graceful shutdown short.
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'shutting down: finishing in-flight work');
    running
      .close()
      .then(() => tracing.shutdown())
      .then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGHUP', () => shutdown('SIGHUP'));
  if (process.channel) {
    process.on('disconnect', () => shutdown('parent process gone'));
    // The channel alone must not keep the process alive.
    process.channel.unref();
  }
  // Only now tell a parent process (tests, supervisors) that we are up: a SIGTERM it sends in
  // answer finds the handlers above in place.
  process.send?.({ type: 'ready', ...running.ready });
}

/** A configuration problem is the operator's to fix: one line, no stack trace. */
function exitOnStartError(name: string, error: unknown): never {
  console.error(error instanceof ConfigError ? `${name}: ${error.message}` : error);
  process.exit(1);
}
