import { ConfigError, createLogger, loadConfig, type Config } from '@plinto/kernel';
import { startApi } from './server';

function loadOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

const config = loadOrExit();
const logger = createLogger(config, 'plinto-api');

try {
  const api = await startApi(config, logger);
  const base = config.PUBLIC_URL;
  const lines = [
    `Plinto api listening on ${api.url} (public URL ${base})`,
    `  tRPC      ${base}/trpc`,
    `  REST      ${base}/v1`,
    `  OpenAPI   ${base}/openapi.json`,
    `  Docs      ${base}/docs`,
    `  Health    ${base}/health   Ready ${base}/ready   Metrics ${base}/metrics`,
  ];
  if (api.generatedPlatformKey) {
    lines.push(
      '',
      'Platform API key (shown this once; store it now — only its hash is kept):',
      `  ${api.generatedPlatformKey}`,
      `  e.g. curl -H "Authorization: Bearer ${api.generatedPlatformKey}" ${base}/v1/tenants`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  process.send?.({ type: 'listening', url: api.url, port: api.port, platformKey: api.generatedPlatformKey });

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    api.close().then(
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
  logger.fatal({ err: error }, 'api failed to start');
  process.exit(1);
}
