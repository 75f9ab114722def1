import type { TestApi } from './harness';

/** One answer of the scripted load: which surface, its status, and its Retry-After. */
export interface Answer {
  surface: string;
  status: number;
  retryAfter: string | null;
  /** The error code of an error body, when there is one. */
  code?: string;
}

export interface LoadUser {
  email: string;
  password: string;
  tenant: string;
}

export type Surface = (api: TestApi, state: LoopState) => Promise<Answer>;

/** Per-loop state: the tokens of the loop's own session, refreshed as it goes. */
export interface LoopState {
  user: LoadUser;
  accessToken?: string;
  refreshToken?: string;
  seq: number;
  loop: number;
  /** Slugs of tenants this loop asked to create, with the answer each got. */
  created: { slug: string; status: number }[];
}

const answerOf = async (surface: string, response: Response): Promise<Answer> => {
  const text = await response.text();
  let code: string | undefined;
  try {
    const body = JSON.parse(text);
    code = body?.error?.code ?? body?.error?.json?.data?.code ?? body?.error?.data?.code ?? body?.[0]?.error?.data?.code ?? (typeof body?.error === 'string' ? body.error : undefined);
  } catch {
    // not JSON
  }
  return { surface, status: response.status, retryAfter: response.headers.get('retry-after'), code };
};

/**
 * The surfaces an outage must answer honestly: sign-in (password), token verification (a
 * protected call with an access token), refresh (the OAuth token endpoint), a write (a tenant is
 * created: its row, audit event and outbox row in one transaction), a read, a tRPC call, liveness.
 */
export const surfaces: Record<string, Surface> = {
  'sign-in': async (api, state) => {
    const response = await fetch(`${api.url}/v1/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-plinto-tenant': state.user.tenant },
      body: JSON.stringify({ email: state.user.email, password: state.user.password }),
    });
    const answer = await answerOf('sign-in', response.clone());
    if (response.status === 200) {
      const body = (await response.json()) as { access_token: string; refresh_token: string };
      state.accessToken = body.access_token;
      state.refreshToken = body.refresh_token;
    }
    return answer;
  },
  'token verification': async (api, state) => {
    if (!state.accessToken) return surfaces['sign-in']!(api, state);
    return answerOf('token verification', await fetch(`${api.url}/v1/whoami`, { headers: { authorization: `Bearer ${state.accessToken}` } }));
  },
  refresh: async (api, state) => {
    if (!state.refreshToken) return surfaces['sign-in']!(api, state);
    const token = state.refreshToken;
    // A refresh whose answer is lost (a 503 while it committed) leaves a rotated token: the loop
    // does not reuse a token it did not see rotate, it signs in again instead.
    state.refreshToken = undefined;
    const response = await fetch(`${api.url}/t/${state.user.tenant}/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token }),
    });
    const answer = await answerOf('refresh', response.clone());
    if (response.status === 200) {
      const body = (await response.json()) as { access_token: string; refresh_token: string };
      state.accessToken = body.access_token;
      state.refreshToken = body.refresh_token;
    }
    return answer;
  },
  write: async (api, state) => {
    const slug = `load-${state.loop}-${state.seq}-${Math.random().toString(36).slice(2, 7)}`;
    const response = await fetch(`${api.url}/v1/tenants`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${api.platformKey}` },
      body: JSON.stringify({ slug, name: slug }),
    });
    state.created.push({ slug, status: response.status });
    return answerOf('write', response);
  },
  read: async (api) => answerOf('read', await fetch(`${api.url}/v1/tenants?limit=5`, { headers: { authorization: `Bearer ${api.platformKey}` } })),
  trpc: async (api) => {
    return answerOf('trpc', await fetch(`${api.url}/trpc/tenants.list?input=${encodeURIComponent(JSON.stringify({ json: { limit: 5 } }))}`, { headers: { authorization: `Bearer ${api.platformKey}` } }));
  },
  ready: async (api) => answerOf('ready', await fetch(`${api.url}/ready`)),
};

/**
 * Runs `loops` concurrent request loops over every surface until `until()` says stop (checked
 * between requests) or `maxRequests` were sent. Bounded in count and time; loopback only.
 */
export async function runLoad(
  api: TestApi,
  users: LoadUser[],
  options: { loops: number; until: (answers: Answer[]) => boolean; maxRequests: number; deadlineMs: number; continueFrom?: LoopState[] },
): Promise<{ answers: Answer[]; states: LoopState[] }> {
  const answers: Answer[] = [];
  const names = Object.keys(surfaces);
  const deadline = Date.now() + options.deadlineMs;
  // Continuing loops keep their sessions (an outage then meets live access and refresh tokens).
  const states: LoopState[] =
    options.continueFrom?.map((s) => ({ ...s, created: [] })) ??
    Array.from({ length: options.loops }, (_, loop) => ({ user: users[loop % users.length]!, seq: 0, loop, created: [] }));
  let sent = 0;
  await Promise.all(
    states.map(async (state) => {
      while (sent < options.maxRequests && Date.now() < deadline && !options.until(answers)) {
        sent += 1;
        const name = names[(state.seq + state.loop) % names.length]!;
        state.seq += 1;
        try {
          answers.push(await surfaces[name]!(api, state));
        } catch (error) {
          answers.push({ surface: name, status: 0, retryAfter: null, code: String(error) });
        }
      }
    }),
  );
  return { answers, states };
}

/** Answers that are neither a success nor an honest 503 with Retry-After (the ready probe aside). */
export const dishonest = (answers: Answer[]) =>
  answers.filter((a) => a.surface !== 'ready' && !(a.status >= 200 && a.status < 300) && !(a.status === 503 && a.retryAfter !== null && Number(a.retryAfter) > 0));

/** Count of answers per surface and status, for a readable failure message. */
export const tally = (answers: Answer[]) => {
  const counts: Record<string, number> = {};
  for (const a of answers) counts[`${a.surface} ${a.status}${a.code ? ` ${a.code}` : ''}`] = (counts[`${a.surface} ${a.status}${a.code ? ` ${a.code}` : ''}`] ?? 0) + 1;
  return counts;
};
