import { beforeAll, describe, expect, it } from 'vitest';
import { TRPCClientError, createTRPCClient, httpLink } from '@trpc/client';
import superjson from 'superjson';
import { appRouter, type AppRouter } from '@plinto/api';
import type { PlintoMeta } from '@plinto/kernel';
import { engineOf } from '@plinto/authz';
import { record, sseRealtimeClient, startTestApi, statusOfError, type TestApi } from '../src';
import { WALK, walkWorld, type WalkWorld } from './authz-walk.support';

/**
 * Every protected procedure enforces the permission it declares: called by a principal holding
 * every permission but that one it answers 403; holding it, anything but 403. None is skipped:
 * a procedure declares a permission (and is walked here) or an `access` that needs none.
 */
type Procedure = { _def: { type: 'query' | 'mutation' | 'subscription'; meta?: PlintoMeta } };
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, Procedure>);

let api: TestApi;
let world: WalkWorld;
let catalog: string[];
const T = 'walk';

beforeAll(async () => {
  api = await startTestApi({ WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000' });
  world = await walkWorld(api, T);
  catalog = (await world.rest('GET', '/v1/policies/permissions')).body.items.map((p: { permission: string }) => p.permission);
}, 120_000);

describe('the procedure catalogue', () => {
  it('declares, for every procedure, either the permission its service enforces or the access it allows without one', () => {
    const undeclared = procedures.filter(([, p]) => !p._def.meta?.permission && !p._def.meta?.access).map(([path]) => path);
    expect(undeclared).toEqual([]);
    const both = procedures.filter(([, p]) => p._def.meta?.permission && p._def.meta?.access).map(([path]) => path);
    expect(both).toEqual([]);
  });

  it('walks every procedure that declares a permission (and only those)', () => {
    const declared = procedures.filter(([, p]) => p._def.meta?.permission).map(([path]) => path).sort();
    expect(Object.keys(WALK).sort()).toEqual(declared);
  });
});

/** Roles holding the whole catalog but one permission, and the whole catalog; made once each. */
const roleWithout = new Map<string, Promise<string>>();
function roleLacking(permission: string | null): Promise<string> {
  const key = permission ?? '*';
  let role = roleWithout.get(key);
  if (!role) {
    const name = permission ? `walk-no-${permission.replace(/[^a-z0-9]/g, '-')}` : 'walk-all';
    role = world.rest('POST', '/v1/policies/roles', { name, permissions: catalog.filter((p) => p !== permission) }).then((res) => {
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return name;
    });
    roleWithout.set(key, role);
  }
  return role;
}

/** A bearer acting with exactly the role: an API key, or a signed-in user holding it tenant-wide. */
async function bearerWith(role: string, as: 'api_key' | 'user', member: boolean): Promise<string> {
  if (as === 'api_key') {
    const key = await world.rest('POST', '/v1/api-keys', { name: `walk ${role}`, role });
    expect(key.status, JSON.stringify(key.body)).toBe(201);
    return key.body.key;
  }
  const user = await world.freshUser();
  const roleId = (await world.rest('GET', '/v1/policies/roles?limit=100')).body.items.find((r: { name: string }) => r.name === role).id;
  expect((await world.rest('POST', `/v1/policies/roles/${roleId}/assign`, { userId: user.id })).status).toBe(201);
  if (member) expect((await world.rest('POST', `/v1/orgs/${world.org}/members`, { userId: user.id, role: 'viewer' })).status).toBe(201);
  return user.token;
}

/** Calls `path` as `token` and answers the HTTP status (200 for success). */
async function statusOf(path: string, type: Procedure['_def']['type'], input: unknown, token: string, rest?: { method: string; path: string }): Promise<number> {
  if (rest) return (await api.rest(rest.method, rest.path, { token, tenant: T, body: input })).status;
  if (type === 'subscription') {
    // Over SSE, as a browser or server subscribes: the server's `ready` (200) or the error it ends with.
    const target = path.split('.').reduce((node: any, key) => node[key], sseRealtimeClient(api.url, { token }).trpc);
    const received = record(target, input);
    try {
      await received.ready;
      return 200;
    } catch (error) {
      return statusOfError(error);
    } finally {
      received.unsubscribe();
    }
  }
  const client = createTRPCClient<AppRouter>({ links: [httpLink({ url: `${api.url}/trpc`, transformer: superjson, headers: { authorization: `Bearer ${token}` } })] });
  const target = path.split('.').reduce((node: any, key) => node[key], client);
  try {
    await (type === 'query' ? target.query(input) : target.mutate(input));
    return 200;
  } catch (error) {
    if (error instanceof TRPCClientError) return (error.data as { httpStatus: number }).httpStatus;
    throw error;
  }
}

describe('every protected procedure enforces its permission', () => {
  for (const [path, procedure] of procedures) {
    const permission = procedure._def.meta?.permission;
    if (!permission) continue;
    it(`${path} needs ${permission}`, async () => {
      const walk = WALK[path]!;
      const as = walk.as ?? 'api_key';
      const input = await walk.input(world);
      const without = await bearerWith(await roleLacking(permission), as, false);
      expect(await statusOf(path, procedure._def.type, input, without, walk.rest), `${path} without ${permission}`).toBe(403);
      const holding = await bearerWith(await roleLacking(null), as, walk.member ?? false);
      expect(await statusOf(path, procedure._def.type, input, holding, walk.rest), `${path} with ${permission}`).not.toBe(403);
    });
  }
});


describe('the cost of a check', () => {
  it('a protected call asks the engine exactly once (the service decides; no second check in a transport layer)', async () => {
    const key = await bearerWith(await roleLacking(null), 'api_key', false);
    const cache = engineOf(api.server).cache;
    await statusOf('policies.version', 'query', {}, key); // the first decision is compiled and cached
    const before = cache.hits + cache.misses;
    for (let i = 0; i < 10; i++) expect(await statusOf('policies.version', 'query', {}, key)).toBe(200);
    expect(cache.hits + cache.misses - before).toBe(10);
  });
});
