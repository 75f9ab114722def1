import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** Bundles a Worker's source (importing `@plinto/sdk/edge`) into one ES module, as wrangler would. */
export async function bundleWorker(source: string): Promise<string> {
  const result = await build({
    // Resolved from bench/src, where the workspace's packages are linked.
    stdin: { contents: source, resolveDir: fileURLToPath(new URL('.', import.meta.url)), loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}
