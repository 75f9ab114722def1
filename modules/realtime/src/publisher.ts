import { serviceKey, type DomainEventConsumer, type Redis } from '@plinto/kernel';
import { payloadFor } from '@plinto/webhooks';
import { realtimeConfig } from './config';
import { realtimeKeys } from './keys';

/** The workers' Redis connection the publisher writes with (the process's producer connection). */
export const REALTIME_PUBLISHER_REDIS = serviceKey<Redis>('realtime.publisher-redis');

/**
 * Appends the event to its tenant's log and publishes it, atomically and once: a retried job
 * (at-least-once delivery) finds the event marked and does nothing. The log is a Redis stream
 * bounded by length and age; its entry id is the event's resumable id.
 */
const PUBLISH_SCRIPT = `
if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then return false end
local id = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'e', ARGV[4])
redis.call('XTRIM', KEYS[2], 'MINID', '~', ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
redis.call('PUBLISH', ARGV[5], ARGV[6] .. '\\n' .. id .. '\\n' .. ARGV[4])
return id
`;

/** The bus message: `<tenantId>\n<event id>\n<payload JSON>` (parsed once per api process). */
export function parseBusMessage(message: string): { tenantId: string; id: string; payload: string } | null {
  const first = message.indexOf('\n');
  const second = message.indexOf('\n', first + 1);
  if (first < 0 || second < 0) return null;
  return { tenantId: message.slice(0, first), id: message.slice(first + 1, second), payload: message.slice(second + 1) };
}

export async function publishEvent(redis: Redis, prefix: string, settings: { historyLength: number; historySeconds: number }, event: Parameters<typeof payloadFor>[0]): Promise<string | null> {
  if (!event.tenantId) return null; // installation-wide events (tenant created) have no tenant stream
  const keys = realtimeKeys(prefix);
  const ttlMs = settings.historySeconds * 1000;
  const result = await redis.eval(
    PUBLISH_SCRIPT,
    2,
    keys.seen(event.tenantId, event.eventId),
    keys.log(event.tenantId),
    String(ttlMs),
    String(settings.historyLength),
    `${Date.now() - ttlMs}-0`,
    payloadFor(event),
    keys.channel,
    event.tenantId,
  );
  return typeof result === 'string' ? result : null;
}

/**
 * The realtime publisher: one consumer of the event spine (queue `events.realtime`), so a slow
 * Redis never delays webhooks and the reverse. One job at a time keeps a tenant's log in the order
 * the relay handed the events over.
 */
export const realtimePublisher: DomainEventConsumer = {
  name: 'realtime',
  concurrency: 1,
  async handle(event, { config, services }) {
    const settings = realtimeConfig(config);
    await publishEvent(services.get(REALTIME_PUBLISHER_REDIS), config.QUEUE_PREFIX, { historyLength: settings.REALTIME_HISTORY_LENGTH, historySeconds: settings.REALTIME_HISTORY_SECONDS }, event);
  },
};
