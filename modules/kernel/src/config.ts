import { z } from 'zod';
import { configChecks, missing, registerConfigCheck, type ConfigProblem } from './config-checks';
import { parseMasterKey } from './crypto/master-key';
import { isRedisClusterUrl } from './redis-url';

/**
 * Every setting Plinto reads from the environment, with defaults that work on a developer machine
 * (PostgreSQL and Redis on localhost). Parsed once at process start; an invalid value stops the
 * process with a message naming the variable.
 */
const boolish = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const list = z
  .string()
  .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean));

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).default('postgres://postgres@127.0.0.1:5432/plinto'),
  /**
   * One Redis (`redis://`, `rediss://`), or a Redis Cluster named by some of its nodes:
   * `redis+cluster://host:port,host:port` (`rediss+cluster://` for TLS).
   */
  REDIS_URL: z
    .string()
    .refine((v) => isRedisClusterUrl(v) || /^rediss?:\/\/[^\s]+$/.test(v), 'A redis://, rediss:// or redis+cluster://host:port,host:port URL')
    .default('redis://127.0.0.1:6379'),
  /**
   * Prefix of every BullMQ key (and of Plinto's other Redis keys); lets several deployments (or test
   * files) share one Redis. On a Redis Cluster it must carry a hash tag (`{plinto}`): a queue's keys,
   * a throttle script's keys and a revocation check's keys must sit in one slot.
   */
  QUEUE_PREFIX: z.string().regex(/^[a-zA-Z0-9_:{}-]+$/).default('plinto'),
  /**
   * Replicas that must hold a batch of jobs before the outbox relay marks it dispatched (Redis
   * WAIT). 0 (default) for a Redis without replicas; 1 on a Redis Cluster (or Sentinel setup) with
   * replicas, so a master failover cannot lose a job the outbox has let go of.
   */
  REDIS_WAIT_REPLICAS: z.coerce.number().int().min(0).max(10).default(0),
  REDIS_WAIT_TIMEOUT_MS: z.coerce.number().int().positive().default(2000),
  /**
   * How long a worker's hold on a job lasts without renewal (BullMQ lockDuration; also how often
   * stalled jobs are looked for): a job held by a worker that died is taken over within about twice this.
   */
  QUEUE_LOCK_DURATION_MS: z.coerce.number().int().min(1000).default(30_000),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().default('127.0.0.1'),
  PUBLIC_URL: z.url().optional(),
  /** Where the built hosted pages are (web/pages/dist); found next to the source or the bundle by default. */
  PAGES_DIST_DIR: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Proxies whose X-Forwarded-For is believed (Express "trust proxy" values: CIDRs, IPs, loopback). */
  TRUSTED_PROXIES: list.default([]),
  /** A platform API key that exists after start, for automation. */
  PLINTO_BOOTSTRAP_API_KEY: z.string().min(24).optional(),
  /** Largest JSON body accepted (bytes); larger bodies get 413. */
  HTTP_BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(1_048_576),
  /** Most calls one tRPC HTTP batch may carry. */
  TRPC_MAX_BATCH_SIZE: z.coerce.number().int().positive().default(25),
  /** GraphQL (/graphql) limits: each refuses an operation before it runs, with a 400 naming the limit. */
  GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(2).default(8),
  /** Estimated cost: every field 1, every object 2, a list field multiplies by its page size (first/limit). */
  GRAPHQL_MAX_COST: z.coerce.number().int().positive().default(5000),
  GRAPHQL_MAX_ALIASES: z.coerce.number().int().min(0).default(15),
  GRAPHQL_MAX_DIRECTIVES: z.coerce.number().int().min(0).default(10),
  /** Most tokens in one document (the query size limit, before parsing finishes). */
  GRAPHQL_MAX_TOKENS: z.coerce.number().int().positive().default(5000),
  /** Most operations in one HTTP request (a JSON array body is a batch). */
  GRAPHQL_MAX_OPERATIONS: z.coerce.number().int().positive().default(10),
  /** How long one operation may run before it is abandoned with GRAPHQL_TIMEOUT. */
  GRAPHQL_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** Introspection and the GraphiQL page; default: on except when NODE_ENV=production. */
  GRAPHQL_INTROSPECTION: boolish.optional(),
  GRAPHQL_GRAPHIQL: boolish.optional(),
  /** How long SIGTERM waits for in-flight work before giving up. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  OUTBOX_POLL_INTERVAL_MS: z.coerce.number().int().positive().default(250),
  OUTBOX_BATCH_SIZE: z.coerce.number().int().positive().max(1000).default(500),
  /** Under load, the relay and the audit chainer run at most this often on commit wake-ups (0: on every one). */
  OUTBOX_WAKE_COALESCE_MS: z.coerce.number().int().min(0).max(5000).default(100),
  /** Dispatched outbox rows are kept this long (for diagnosis), then pruned by maintenance. */
  OUTBOX_RETENTION_HOURS: z.coerce.number().int().positive().default(72),
  /** Run the maintenance schedulers in this workers process. */
  WORKERS_MAINTENANCE: boolish.default(true),
  /** Where the workers serve their Prometheus /metrics (on HOST); 0 picks a free port. */
  WORKERS_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  DB_POOL_MAX: z.coerce.number().int().positive().default(10),
  /** How long a query waits for a free pooled connection before the request is answered 503. */
  DB_POOL_ACQUIRE_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  DB_DEBUG: boolish.default(false),
  /** 32 bytes (hex or base64url) from which at-rest encryption keys are derived; required in production. */
  PLINTO_MASTER_KEY: z.string().optional(),
  /** Where a development master key is generated when PLINTO_MASTER_KEY is unset (not in production). */
  PLINTO_MASTER_KEY_FILE: z.string().default('.plinto/master.key'),
});

export type Config = z.infer<typeof configSchema> & { PUBLIC_URL: string };

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    message: string,
    /** Every variable at fault. */
    readonly variables: string[] = [],
  ) {
    super(message);
  }
}

// Production keeps its at-rest keys in the environment: no generated development key.
registerConfigCheck((values) => {
  const problems: ConfigProblem[] = [];
  if (values.NODE_ENV === 'production' && missing(values, 'PLINTO_MASTER_KEY')) {
    problems.push({ variables: ['PLINTO_MASTER_KEY', 'NODE_ENV'], message: 'PLINTO_MASTER_KEY is required when NODE_ENV=production (32 random bytes, hex or base64url)' });
  }
  if (!missing(values, 'PLINTO_MASTER_KEY')) {
    try {
      parseMasterKey(String(values.PLINTO_MASTER_KEY));
    } catch (error) {
      problems.push({ variables: ['PLINTO_MASTER_KEY'], message: (error as Error).message });
    }
  }
  return problems;
});

/**
 * Parses the environment; throws ConfigError naming each invalid variable. `sections` are the
 * modules' own settings (their manifests' `config`), validated in the same pass.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, sections: z.ZodObject[] = []): Config {
  const input = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  // Loose: a module whose section was not given here still finds its variables (parsed when it reads them).
  const parsed = configSchema
    .extend(Object.assign({}, ...sections.map((s) => s.shape)))
    .loose()
    .superRefine((value, ctx) => {
      if (isRedisClusterUrl(String(value.REDIS_URL)) && !/\{[^{}]+\}/.test(String(value.QUEUE_PREFIX))) {
        ctx.addIssue({ code: 'custom', path: ['QUEUE_PREFIX'], message: 'On a Redis Cluster (REDIS_URL redis+cluster://) the prefix needs a hash tag, e.g. {plinto}' });
      }
    })
    .safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = issue.path.join('.');
      const got = env[name] === undefined ? '' : ` (got ${JSON.stringify(env[name])})`;
      return { variables: [name], message: `${name}: ${issue.message}${got}` };
    });
    throw configError(problems);
  }
  const problems = configChecks().flatMap((check) => check(parsed.data));
  if (problems.length > 0) throw configError(problems);
  // The module sections' values ride along untyped; each module reads its own via readConfigSection.
  const config = parsed.data as z.infer<typeof configSchema>;
  return {
    ...config,
    PUBLIC_URL: (config.PUBLIC_URL ?? `http://${config.HOST}:${config.PORT}`).replace(/\/+$/, ''),
  };
}

/** One line naming every variable at fault: what an operator reads first in a crash loop. */
function configError(problems: ConfigProblem[]): ConfigError {
  const variables = [...new Set(problems.flatMap((p) => p.variables))];
  return new ConfigError(`Invalid configuration (${variables.join(', ')}): ${problems.map((p) => p.message).join('; ')}`, variables);
}
