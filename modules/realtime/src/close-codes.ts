/**
 * WebSocket close codes of `/ws` (documented in the README, relied on by SDKs and edge caches):
 * a client tells from the code alone whether to refresh its token, drop it, or simply reconnect
 * (with its last event id, losing nothing).
 */
export const CLOSE_CODES = {
  /** No valid credential when the connection opened (or a renewal was refused): sign in again. */
  UNAUTHENTICATED: 4401,
  /** The access token expired without renewal: refresh it, reconnect and resume. */
  TOKEN_EXPIRED: 4402,
  /** The session, token or client was revoked (or the user disabled): drop the token at once. */
  SESSION_REVOKED: 4403,
  /** The subscriber fell too far behind (send buffer or queue over its cap): reconnect and resume. */
  SLOW_CONSUMER: 4408,
  /** Too many connections for the principal or tenant on this server. */
  TOO_MANY_CONNECTIONS: 4429,
  /** The server is draining (deploy, scale-in): reconnect — another server answers — and resume. */
  SERVICE_RESTART: 1012,
} as const;

export type CloseCode = (typeof CLOSE_CODES)[keyof typeof CLOSE_CODES];
