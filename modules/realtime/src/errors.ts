import { defineErrors } from '@plinto/kernel';

/** Why a subscription ended or was refused (SSE and tRPC error codes; WebSocket close codes are in close-codes.ts). */
export const RealtimeErrors = defineErrors({
  REALTIME_SESSION_REVOKED: { status: 401, message: 'The session or credential of this connection was revoked' },
  REALTIME_TOKEN_EXPIRED: { status: 401, message: 'The access token of this connection expired; renew it and resume' },
  REALTIME_TOO_MANY_CONNECTIONS: { status: 429, message: 'Too many realtime connections for this principal or tenant' },
  REALTIME_TOO_MANY_SUBSCRIPTIONS: { status: 429, message: 'Too many subscriptions on this connection' },
  REALTIME_SLOW_CONSUMER: { status: 409, message: 'The subscriber did not keep up and was dropped; reconnect and resume' },
  REALTIME_DRAINING: { status: 503, message: 'This server is shutting down; reconnect and resume' },
  REALTIME_LAST_EVENT_ID_INVALID: { status: 400, message: 'The last event id is not one this server issued' },
  REALTIME_ORIGIN_REFUSED: { status: 403, message: 'This origin may not subscribe' },
});
