import { z } from 'zod';
import { readConfigSection, type Config } from '@plinto/kernel';

const int = (fallback: number, max: number) => z.coerce.number().int().positive().max(max).default(fallback);

/** A comma-separated list of origins (`https://app.example.com,http://localhost:5173`), or `*` for any. */
const originList = z
  .union([z.array(z.string()), z.string()])
  .default([])
  .transform((v) => (typeof v === 'string' ? v.split(',') : v).map((s) => s.trim().replace(/\/+$/, '').toLowerCase()).filter(Boolean));

export const realtimeConfigSchema = z.object({
  /** Browser origins allowed to open `/ws` and to subscribe over SSE (CORS); `*` allows any. Requests without Origin (servers) are always allowed. */
  REALTIME_ALLOWED_ORIGINS: originList,
  /** Events kept per tenant for resumption (newest first out when over). */
  REALTIME_HISTORY_LENGTH: int(10_000, 10_000_000),
  /** How long an event stays resumable, in seconds. */
  REALTIME_HISTORY_SECONDS: int(3600, 7 * 86_400),
  /** Open connections (WebSocket and SSE) per user, machine client or API key, per api process. */
  REALTIME_MAX_CONNECTIONS_PER_PRINCIPAL: int(20, 1_000_000),
  /** Open connections per tenant, per api process. */
  REALTIME_MAX_CONNECTIONS_PER_TENANT: int(20_000, 10_000_000),
  /** Subscriptions at once on one WebSocket connection. */
  REALTIME_MAX_SUBSCRIPTIONS_PER_CONNECTION: int(10, 1000),
  /** Largest message a client may send over `/ws`, in bytes. */
  REALTIME_MAX_MESSAGE_BYTES: int(64 * 1024, 16 * 1024 * 1024),
  /** Bytes a connection may have waiting to be sent before it is dropped as a slow consumer. */
  REALTIME_SEND_BUFFER_BYTES: int(1024 * 1024, 1024 * 1024 * 1024),
  /** Events a subscription may have waiting (received, not yet sent) before it is dropped as a slow consumer. */
  REALTIME_QUEUE_LENGTH: int(1000, 1_000_000),
  /** Heartbeat interval (WebSocket ping, SSE comment), in milliseconds. */
  REALTIME_HEARTBEAT_MS: int(25_000, 600_000),
  /** How often each connection's credential is verified again, in milliseconds: the safety net behind the revocation events, which close a connection within a second. */
  REALTIME_RECHECK_MS: int(30_000, 3_600_000),
});

export type RealtimeConfig = z.infer<typeof realtimeConfigSchema>;

export const realtimeConfig = (config: Config): RealtimeConfig => readConfigSection(config, realtimeConfigSchema);
