import { runProcess } from '@plinto/kernel';
import { configSections } from '@plinto/platform';
import { startApi } from './server';

await runProcess('plinto-api', configSections, async (config, logger) => {
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
  return { close: api.close, ready: { url: api.url, port: api.port, platformKey: api.generatedPlatformKey } };
});
