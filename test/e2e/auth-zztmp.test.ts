import { it } from 'vitest';
import { createTestDatabase, forkApp, TEST_REDIS_URL, uniqueSuffix } from '../src';
it('dbg', async () => {
  const workers = await forkApp('workers', { DATABASE_URL: await createTestDatabase(), REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: `t_${uniqueSuffix()}`, PORT: '0', LOG_LEVEL: 'info' });
  console.log('READY', JSON.stringify(workers.ready), workers.output().length);
  await new Promise((r) => setTimeout(r, 3000));
  console.log('OUT', workers.output().slice(-1500));
  workers.child.kill('SIGTERM');
  const code = await workers.exited;
  console.log('EXIT', code, workers.child.signalCode);
});
