import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { verifyAuthenticationResponse } from '@simplewebauthn/server';
import { isoBase64URL } from '@simplewebauthn/server/helpers';
import { SoftAuthenticator } from '../../test/src/soft-authenticator';
import { BENCH_PLATFORM_KEY, startApiProcess } from './processes';
import type { Benchmark, BenchRow } from './types';

const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 3000);
const CONCURRENCY = 8;
const ORIGIN = 'http://localhost:4000';

/** utime + stime of a process, in microseconds (clock ticks are 100 Hz on Linux). */
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/** Runs `fn` back to back on `concurrency` loops for `ms`; completions per second (and their count). */
async function throughput(ms: number, concurrency: number, fn: () => Promise<unknown>): Promise<number> {
  return (await measured(ms, concurrency, fn)).perSecond;
}

async function measured(ms: number, concurrency: number, fn: () => Promise<unknown>): Promise<{ perSecond: number; count: number }> {
  let done = 0;
  const started = performance.now();
  const deadline = Date.now() + ms;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < deadline) {
        await fn();
        done++;
      }
    }),
  );
  return { perSecond: done / ((performance.now() - started) / 1000), count: done };
}

/**
 * A passkey sign-in through the api process (options, then the assertion: ceremony in Redis,
 * credential lookup, the library's verification, the counter rule, the session, its tokens and
 * its audit events), next to the library's raw `verifyAuthenticationResponse` with the public key
 * in hand, in this process, measured in the same run.
 */
const passkeys: Benchmark = {
  name: 'passkeys',
  async run(): Promise<BenchRow[]> {
    const api = await startApiProcess({ AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000000', LOG_LEVEL: 'error' });
    try {
      const base = `http://127.0.0.1:${api.port}`;
      const tenant = `bench-pk-${Date.now().toString(36)}`;
      const json = { 'content-type': 'application/json', 'x-plinto-tenant': tenant };
      const call = async (path: string, body: unknown, headers: Record<string, string> = json) => {
        const res = await fetch(`${base}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
        if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
        return res.json() as Promise<any>;
      };
      await call('/v1/tenants', { slug: tenant, name: tenant, settings: { passkeys: { rpId: 'localhost', origins: [ORIGIN] } } }, { ...json, authorization: `Bearer ${BENCH_PLATFORM_KEY}` });
      const email = `bench@${tenant}.test`;
      const password = 'bench passphrase that is long enough';
      await call('/v1/auth/sign-up', { email, password });
      const signedIn = await call('/v1/auth/sign-in', { email, password });
      const authed = { ...json, authorization: `Bearer ${signedIn.access_token}` };
      // A synced passkey (no counter), so concurrent sign-ins with one credential never race on it.
      const device = new SoftAuthenticator(ORIGIN, { keepsCounter: false, synced: true });
      const start = await call('/v1/passkeys/registration-options', {}, authed);
      await call('/v1/passkeys', { ceremonyId: start.ceremonyId, response: device.register(start.options) }, authed);

      const signInWithPasskey = async () => {
        const { ceremonyId, options } = await call('/v1/auth/passkey/options', {});
        const result = await call('/v1/auth/passkey', { ceremonyId, response: device.authenticate(options) });
        if (result.status !== 'signed_in') throw new Error('not signed in');
      };

      // The raw baseline: one assertion, verified again and again with the key in hand.
      const credential = device.credentials[0]!;
      const jwk = credential.key.export({ format: 'jwk' });
      const { isoCBOR } = await import('@simplewebauthn/server/helpers');
      const publicKey = isoCBOR.encode(new Map<number, number | Uint8Array>([[1, 2], [3, -7], [-1, 1], [-2, isoBase64URL.toBuffer(jwk.x!)], [-3, isoBase64URL.toBuffer(jwk.y!)]]));
      const challenge = isoBase64URL.fromBuffer(new Uint8Array(32).fill(7));
      const assertion = device.authenticate({ challenge, rpId: 'localhost' });
      const raw = () =>
        verifyAuthenticationResponse({
          response: assertion,
          expectedChallenge: challenge,
          expectedOrigin: ORIGIN,
          expectedRPID: 'localhost',
          credential: { id: assertion.id, publicKey, counter: 0 },
          requireUserVerification: true,
        });

      await throughput(1500, CONCURRENCY, signInWithPasskey); // warm-up
      await throughput(500, 1, raw);
      const cpuOf = (since: NodeJS.CpuUsage) => {
        const used = process.cpuUsage(since);
        return used.user + used.system;
      };
      let since = process.cpuUsage();
      const rawBefore = await measured(DURATION_MS / 2, 1, raw);
      let rawMicros = cpuOf(since);
      const apiCpuBefore = cpuMicros(api.pid);
      const plinto = await measured(DURATION_MS, CONCURRENCY, signInWithPasskey);
      const apiCpu = cpuMicros(api.pid) - apiCpuBefore;
      since = process.cpuUsage();
      const rawAfter = await measured(DURATION_MS / 2, 1, raw);
      rawMicros += cpuOf(since);
      const load = loadavg().map((l) => l.toFixed(1)).join(' ');
      return [
        {
          name: 'passkey sign-in (options + assertion, session and tokens issued)',
          figure: plinto.perSecond,
          baselineName: 'raw @simplewebauthn/server verifyAuthenticationResponse, key in hand',
          baseline: (rawBefore.perSecond + rawAfter.perSecond) / 2,
          unit: 'sign-ins/s',
          higherIsBetter: true,
          note: `api process over HTTP, concurrency ${CONCURRENCY}, two requests per sign-in; baseline one process, sequential; load ${load}`,
        },
        {
          // CPU time is the figure a busy machine disturbs least (a stalled process spends none).
          name: 'api CPU per passkey sign-in (both requests)',
          figure: apiCpu / plinto.count / 1000,
          baselineName: 'raw verifyAuthenticationResponse CPU per verification',
          baseline: rawMicros / (rawBefore.count + rawAfter.count) / 1000,
          unit: 'ms CPU',
          higherIsBetter: false,
          note: `api process utime+stime from /proc over the measured sign-ins; baseline process.cpuUsage of the raw runs; load ${load}`,
        },
      ];
    } finally {
      await api.stop();
    }
  },
};

export const benchmarks = [passkeys];
