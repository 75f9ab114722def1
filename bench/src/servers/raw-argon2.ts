// Baseline: raw argon2id verifications with Plinto's parameters, nothing else, in a process of its
// own whose libuv pool is sized as the api's (one thread per core), one verification in flight per
// thread (two per thread, as the api keeps, measured the same here: nothing else waits on the
// event loop): the ceiling a password sign-in could reach if it did no other
// work. Answers `{ perSecond }` over IPC and exits.
import { availableParallelism } from 'node:os';
import { hash, verify } from '@node-rs/argon2';
import { ARGON2_OPTIONS } from '@plinto/auth';

const PASSWORD = 'bench passphrase that is long enough';
const durationMs = Number(process.env.RAW_ARGON2_DURATION_MS ?? 1500);
const workers = Math.max(2, availableParallelism());

const hashed = await hash(PASSWORD, ARGON2_OPTIONS);
await verify(hashed, PASSWORD); // warm: the pool's threads exist before the clock starts
let done = 0;
const deadline = Date.now() + durationMs;
const started = process.hrtime.bigint();
await Promise.all(
  Array.from({ length: workers }, async () => {
    while (Date.now() < deadline) {
      await verify(hashed, PASSWORD);
      done++;
    }
  }),
);
process.send!({ perSecond: done / (Number(process.hrtime.bigint() - started) / 1e9) }, () => process.exit(0));
