/**
 * Cookie-authenticated state changes carry the session's CSRF token (`X-CSRF-Token`), which
 * GET /t/{tenant}/session hands the page. It lives in this module's memory only — never in
 * localStorage or sessionStorage — and is useless without the HttpOnly cookie beside it.
 */
let csrfToken: string | null = null;

export function csrfHeaders(): Record<string, string> {
  return csrfToken ? { 'x-csrf-token': csrfToken } : {};
}

export interface BrowserSessionInfo {
  sessionId: string;
  user: { id: string; email: string; displayName: string | null };
  csrfToken: string | null;
}

/** The browser session of `tenant` (cookie), or null when there is none. */
export async function loadBrowserSession(tenant: string): Promise<BrowserSessionInfo | null> {
  const res = await fetch(`/t/${encodeURIComponent(tenant)}/session`, { credentials: 'same-origin', headers: { accept: 'application/json' } });
  if (res.status === 401) return null;
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
