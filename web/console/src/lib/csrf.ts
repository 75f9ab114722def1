/**
 * Cookie-authenticated state changes carry a CSRF token the server checks. The hosted pages'
 * session sets it as a readable (not HttpOnly) cookie; the console echoes it in a header. The
 * cookie holds no credential: it is useless without the HttpOnly session cookie beside it.
 */
const CSRF_COOKIE = /(?:^|;\s*)plinto_csrf=([^;]+)/;

export function csrfHeaders(): Record<string, string> {
  const match = CSRF_COOKIE.exec(document.cookie);
  return match?.[1] ? { 'x-csrf-token': decodeURIComponent(match[1]) } : {};
}
