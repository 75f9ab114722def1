import type { Request, Response } from 'express';
import type { MikroORM, Redis } from '@plinto/kernel';

const withTimeout = <T>(promise: Promise<T>, ms: number): Promise<T> =>
  Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);

/** Readiness: can this process serve traffic right now? 503 when PostgreSQL or Redis is unreachable. */
export function readiness(orm: MikroORM, redis: Redis) {
  return async (_req: Request, res: Response): Promise<void> => {
    const [postgres, redisCheck] = await Promise.all([
      withTimeout(orm.em.getConnection().execute('select 1'), 2000).then(() => 'ok', () => 'unavailable'),
      withTimeout(redis.ping(), 1000).then(() => 'ok', () => 'unavailable'),
    ]);
    const ready = postgres === 'ok' && redisCheck === 'ok';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', checks: { postgres, redis: redisCheck } });
  };
}
