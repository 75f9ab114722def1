// Peer: Better Auth 1.7 on PostgreSQL (its recommended production database), optionally with its
// Redis secondary storage (BA_REDIS=1: sessions and rate-limit counters in Redis), configured
// fairly against Plinto: the same argon2id library and parameters for passwords (Plinto's
// ARGON2_OPTIONS), the same libuv pool size (the caller passes apiThreadPoolEnv), a pool of
// DB_POOL_MAX PostgreSQL connections as the api has, rate limiting off (Plinto's is lifted for the
// bench too), and the JWT plugin for `/token` (EdDSA, Better Auth's default). Sign-up requires
// email verification, as Plinto's does (the account is created, a verification email is sent, no
// session): the email callback does nothing, as an app would hand it to a queue.
// Answers `{ port }` over IPC once it listens.
import { createServer } from 'node:http';
import pg from 'pg';
import { Redis } from 'ioredis';
import { hash, verify } from '@node-rs/argon2';
import { betterAuth } from 'better-auth';
import { jwt } from 'better-auth/plugins/jwt';
import { toNodeHandler } from 'better-auth/node';
import { getMigrations } from 'better-auth/db/migration';
import { redisStorage } from '@better-auth/redis-storage';
import { ARGON2_OPTIONS } from '@plinto/auth';

const databaseUrl = process.env.BA_DATABASE_URL!;
const useRedis = process.env.BA_REDIS === '1';
const poolMax = Number(process.env.DB_POOL_MAX ?? 10);

const pool = new pg.Pool({ connectionString: databaseUrl, max: poolMax });
const redis = useRedis ? new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379') : undefined;
const server = createServer();
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as { port: number }).port;

const auth = betterAuth({
  database: pool,
  secret: 'bench-secret-0123456789abcdefghijklmnopqrstuvwxyz',
  baseURL: `http://127.0.0.1:${port}`,
  telemetry: { enabled: false },
  rateLimit: { enabled: false },
  ...(redis ? { secondaryStorage: redisStorage({ client: redis, keyPrefix: `bench-ba-${process.pid}:` }) } : {}),
  emailAndPassword: {
    enabled: true,
    requireEmailVerification: true,
    password: {
      hash: (password) => hash(password, ARGON2_OPTIONS),
      verify: ({ hash: stored, password }) => verify(stored, password),
    },
  },
  emailVerification: {
    sendOnSignUp: true,
    sendVerificationEmail: async () => undefined,
  },
  plugins: [jwt()],
  logger: { disabled: true },
});

// Creates Better Auth's tables (user, session, account, verification, jwks) when missing.
const { runMigrations } = await getMigrations(auth.options);
await runMigrations();

server.on('request', toNodeHandler(auth));
server.keepAliveTimeout = 30_000;
process.send?.({ port });
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(async () => {
    await pool.end();
    redis?.disconnect();
    process.exit(0);
  });
});
