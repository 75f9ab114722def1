/**
 * How the pages talk to the api: the session endpoints (/t/{tenant}/session/*, which set the
 * HttpOnly cookie) and tRPC procedures (/trpc, the cookie as credential). The CSRF token lives in
 * this module's memory only — never in localStorage, sessionStorage or a readable cookie.
 */
export interface FieldError {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly fields: FieldError[] = [],
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;
export const rememberCsrf = (token: string | null | undefined) => void (csrfToken = token ?? null);

export const tenantSlug = (): string => decodeURIComponent(window.location.pathname.split('/')[2] ?? 'default');
export const pagePath = (page: string): string => `/t/${encodeURIComponent(tenantSlug())}/${page}`;

const headers = (json: boolean): Record<string, string> => ({
  accept: 'application/json',
  'x-plinto-tenant': tenantSlug(),
  ...(json ? { 'content-type': 'application/json' } : {}),
  ...(csrfToken ? { 'x-csrf-token': csrfToken } : {}),
});

/** Any of our error bodies: REST `{ error: { code, message, fields } }` or tRPC's (superjson). */
function errorOf(status: number, body: unknown): ApiError {
  const rest = (body as { error?: { code?: string; message?: string; fields?: FieldError[]; json?: { message?: string; data?: { code?: string; fields?: FieldError[] } } } })?.error;
  if (rest?.json) return new ApiError(rest.json.data?.code ?? 'INTERNAL', status, rest.json.message ?? 'Error', rest.json.data?.fields ?? []);
  if (rest?.code) return new ApiError(rest.code, status, rest.message ?? rest.code, rest.fields ?? []);
  return new ApiError(status >= 500 ? 'INTERNAL' : 'UNKNOWN', status, 'The request failed');
}

async function call<T>(url: string, init: RequestInit): Promise<T> {
  const response = await fetch(url, { credentials: 'same-origin', ...init });
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) throw errorOf(response.status, body);
  return body as T;
}

export interface SessionInfo {
  sessionId: string;
  amr: string[];
  aal: number;
  authTime: string;
  csrfToken: string;
  user: { id: string; email: string; displayName: string | null; emailVerified: boolean; mfaEnabled: boolean };
}

export type SignInAnswer =
  | { status: 'signed_in'; redirectTo: string; csrfToken: string }
  | { status: 'mfa_required'; challengeToken: string; methods: string[]; expiresAt: string };

/**
 * The latest session probe, settled or not. A POST waits for it, and starts one when the page has
 * neither probed nor learnt a token: a click faster than the page's probe (seen on a loaded
 * machine) or on a page that never probes would otherwise go without the CSRF token, and a browser
 * with a session cookie is refused without it.
 */
let probed: Promise<unknown> | null = null;

async function csrfReady(): Promise<void> {
  if (!probed && !csrfToken) void session.current().catch(() => null);
  await probed;
}

async function probeSession(): Promise<SessionInfo | null> {
  try {
    const info = await call<SessionInfo>(`/t/${encodeURIComponent(tenantSlug())}/session`, { headers: headers(false) });
    rememberCsrf(info.csrfToken);
    return info;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

export const session = {
  /** Who is signed in (null when nobody); remembers the CSRF token. */
  current(): Promise<SessionInfo | null> {
    const probe = probeSession();
    probed = probe.catch(() => null);
    return probe;
  },
  async step<T = SignInAnswer>(step: string, body: unknown): Promise<T> {
    const answer = await call<T>(`/t/${encodeURIComponent(tenantSlug())}/session/${step}`, { method: 'POST', headers: headers(true), body: JSON.stringify(body) });
    const token = (answer as { csrfToken?: string }).csrfToken;
    if (token) rememberCsrf(token);
    return answer;
  },
};

/** A tRPC query (GET) over the HTTP wire format (superjson envelope `{ json }`). */
export async function query<T>(path: string, input: unknown = undefined): Promise<T> {
  const search = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
  const body = await call<{ result: { data: { json: T } } }>(`/trpc/${path}${search}`, { headers: headers(false) });
  return body.result.data.json;
}

/** A tRPC mutation (POST, with the CSRF token when signed in). */
export async function mutation<T>(path: string, input: unknown = {}): Promise<T> {
  await csrfReady();
  const body = await call<{ result: { data: { json: T } } }>(`/trpc/${path}`, { method: 'POST', headers: headers(true), body: JSON.stringify({ json: input }) });
  return body.result.data.json;
}

/** A JSON call to another endpoint of the tenant (e.g. the OIDC consent interaction). */
export async function tenantCall<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  if (init.body !== undefined) await csrfReady();
  return call<T>(`/t/${encodeURIComponent(tenantSlug())}${path}`, {
    method: init.method ?? 'GET',
    headers: headers(init.body !== undefined),
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}
