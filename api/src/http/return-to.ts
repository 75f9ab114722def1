/**
 * Where to send someone after signing in: only a path on this very origin (PUBLIC_URL's) is
 * honoured — `//evil.example`, `/\evil.example`, `https://evil.example`, `javascript:` and anything
 * with control characters are not (an open redirect would let a phishing link borrow our name).
 * Anything else lands on the tenant's account page.
 */
export function safeReturnTo(value: unknown, publicUrl: string, tenantSlug: string): string {
  const fallback = `/t/${encodeURIComponent(tenantSlug)}/account`;
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048) return fallback;
  // A path, not a scheme-relative URL or a backslash trick browsers read as one.
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return fallback;
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return fallback;
  const base = new URL(publicUrl);
  let target: URL;
  try {
    target = new URL(value, base);
  } catch {
    return fallback;
  }
  if (target.origin !== base.origin) return fallback;
  return `${target.pathname}${target.search}${target.hash}`;
}
