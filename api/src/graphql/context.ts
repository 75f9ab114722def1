import DataLoader from 'dataloader';
import { createCallerFactory, type Context } from '@plinto/kernel';
import { getUsers, type UserDto } from '@plinto/auth';
import { teamsOfMembers } from '@plinto/orgs';
import { appRouter } from '../router';
import { toGraphQLError } from './errors';

const callerOf = createCallerFactory(appRouter);

/**
 * One GraphQL request's context: the same tRPC context (and so the same service context, built
 * once) that /trpc and /v1 give a call, the procedures as a caller over it, and the request's
 * DataLoaders. Resolvers only call procedures or module services with `sc`: the services decide
 * every permission and reach the database.
 */
export interface GraphQLContext {
  trpc: Context;
  /** Runs the procedure at `path` with `input`: its validation, its service, its output check. */
  call(path: string, input: unknown): Promise<unknown>;
  loaders: Loaders;
}

export interface Loaders {
  /** Users of the tenant by id (users:read), one query per request tick. */
  users: DataLoader<string, UserDto | null>;
  /** The teams a member belongs to, keyed `${orgId}:${userId}` (teams:read in the organization). */
  teamsOfMember: DataLoader<string, unknown[]>;
}

export function graphQLContext(trpc: Context): GraphQLContext {
  const caller = callerOf(trpc) as unknown as Record<string, unknown>;
  const requestId = trpc.request.requestId;
  const call = async (path: string, input: unknown) => {
    const procedure = path.split('.').reduce<any>((node, key) => node[key], caller) as (input: unknown) => Promise<unknown>;
    try {
      return await procedure(input);
    } catch (error) {
      throw toGraphQLError(error, requestId);
    }
  };
  const withSc = async <T>(work: (sc: Awaited<ReturnType<Context['serviceContext']>>) => Promise<T>): Promise<T> => {
    try {
      return await work(await trpc.serviceContext());
    } catch (error) {
      throw toGraphQLError(error, requestId);
    }
  };
  return {
    trpc,
    call,
    loaders: {
      users: new DataLoader(async (ids) => {
        const found = await withSc((sc) => getUsers(sc, ids));
        return ids.map((id) => found.get(id) ?? null);
      }),
      teamsOfMember: new DataLoader(async (keys) => {
        const byOrg = new Map<string, string[]>();
        for (const key of keys) {
          const [orgId, userId] = key.split(':') as [string, string];
          byOrg.set(orgId, [...(byOrg.get(orgId) ?? []), userId]);
        }
        const teams = new Map<string, unknown[]>();
        for (const [orgId, userIds] of byOrg) {
          const found = await withSc((sc) => teamsOfMembers(sc, orgId, userIds));
          for (const userId of userIds) teams.set(`${orgId}:${userId}`, found.get(userId) ?? []);
        }
        return keys.map((key) => teams.get(key) ?? []);
      }),
    },
  };
}
