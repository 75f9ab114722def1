/**
 * Cookie-authenticated state changes carry the session's CSRF token (`X-CSRF-Token`), which
 * GET /t/{tenant}/session hands the page. It lives in this module's memory only — never in
 * localStorage or sessionStorage — and is useless without the HttpOnly cookie beside it.
 */
let csrfToken: string | null = null;
/** Signed in as a platform operator: every call asks the api to use the operator cookie. */
let operatorMode = false;

export function csrfHeaders(): Record<string, string> {
  return { ...(csrfToken ? { 'x-csrf-token': csrfToken } : {}), ...(operatorMode ? { 'x-plinto-operator': '1' } : {}) };
}

/**
 * What a live stream (SSE) sends in tRPC's connection params, since EventSource cannot send
 * headers: the operator flag in operator mode. The api takes a cookie on a stream only from this
 * origin, so the flag needs no CSRF token (a stream changes nothing).
 */
export function streamParams(): Record<string, string> {
  return operatorMode ? { operator: '1' } : {};
}

export interface OperatorSessionInfo {
  operator: { keyId: string; name: string; prefix: string };
  expiresAt: string;
  csrfToken: string;
}

/**
 * The platform operator's console session (`plinto_op`, HttpOnly), or null. When there is one the
 * console works as the operator in every tenant; the tenant's own session is not consulted.
 */
export async function loadOperatorSession(): Promise<OperatorSessionInfo | null> {
  const res = await fetch('/platform/session', { credentials: 'same-origin', headers: { accept: 'application/json' } });
  if (res.status === 401) {
    // Discard the body: an answer left unread stays an open request in the browser.
    await res.body?.cancel();
    return null;
  }
  if (!res.ok) throw new Error(`The operator session could not be read (HTTP ${res.status})`);
  const session = (await res.json()) as OperatorSessionInfo;
  csrfToken = session.csrfToken;
  operatorMode = true;
  return session;
}

/** Exchanges a platform key for the operator cookie; answers an error message or null. The key is not kept. */
export async function signInOperator(key: string): Promise<string | null> {
  const res = await fetch('/platform/session/sign-in', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ key }),
  });
  if (res.ok) return null;
  const body = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
  return body.error?.message ?? `Sign-in failed (HTTP ${res.status})`;
}

export async function signOutOperator(): Promise<string> {
  const res = await fetch('/platform/session/sign-out', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', ...csrfHeaders() },
    body: '{}',
  });
  csrfToken = null;
  operatorMode = false;
  const body = (await res.json().catch(() => ({}))) as { redirectTo?: string };
  return body.redirectTo ?? '/admin/operator/sign-in';
}

export interface BrowserSessionInfo {
  sessionId: string;
  user: { id: string; email: string; displayName: string | null };
  csrfToken: string | null;
}

/** The browser session of `tenant` (cookie), or null when there is none. */
export async function loadBrowserSession(tenant: string): Promise<BrowserSessionInfo | null> {
  const res = await fetch(`/t/${encodeURIComponent(tenant)}/session`, { credentials: 'same-origin', headers: { accept: 'application/json' } });
  if (res.status === 401) {
    // Discard the body: an answer left unread stays an open request in the browser.
    await res.body?.cancel();
    return null;
  }
  if (!res.ok) throw new Error(`The session could not be read (HTTP ${res.status})`);
  const session = (await res.json()) as BrowserSessionInfo;
  csrfToken = session.csrfToken;
  return session;
}

/** Ends the browser session (server-side and the cookie); answers where to go next. */
export async function signOutBrowserSession(tenant: string): Promise<string> {
  const res = await fetch(`/t/${encodeURIComponent(tenant)}/session/sign-out`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', ...csrfHeaders() },
    body: '{}',
  });
  csrfToken = null;
  const body = (await res.json().catch(() => ({}))) as { redirectTo?: string };
  return body.redirectTo ?? `/t/${encodeURIComponent(tenant)}/sign-in`;
}
