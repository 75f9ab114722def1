import { createHash } from 'node:crypto';
import { serviceKey, type ConsumerDeps, type DomainEventConsumer, type Redis } from '@plinto/kernel';
import { payloadFor } from '@plinto/webhooks';
import { realtimeConfig } from './config';
import { realtimeKeys } from './keys';

/** The workers' Redis connection the publisher writes with (the process's producer connection). */
export const REALTIME_PUBLISHER_REDIS = serviceKey<Redis>('realtime.publisher-redis');

/**
 * Appends events to their tenants' logs and publishes them, in order, atomically and once each: a
 * retried job (at-least-once delivery) finds an event marked and does nothing for it. A log is a
 * Redis stream bounded by length and age; its entry id is the event's resumable id. One call for
 * a whole batch (EVALSHA: the script's text is sent only when Redis does not know it yet), each
 * log trimmed once. KEYS: per event its seen marker and its log. ARGV: history ms, max length,
 * oldest id kept, channel, then per event its payload and tenant. Returns per event its stream id,
 * or false when it was published already.
 */
const PUBLISH_SCRIPT = `
local logs = {}
local ids = {}
for i = 1, #KEYS / 2 do
  local log = KEYS[2 * i]
  if redis.call('SET', KEYS[2 * i - 1], '1', 'NX', 'PX', ARGV[1]) then
    local payload = ARGV[3 + 2 * i]
    local id = redis.call('XADD', log, 'MAXLEN', '~', ARGV[2], '*', 'e', payload)
    redis.call('PUBLISH', ARGV[4], ARGV[4 + 2 * i] .. '\\n' .. id .. '\\n' .. payload)
    logs[log] = true
    ids[i] = id
  else
    ids[i] = false
  end
end
for log in pairs(logs) do
  redis.call('XTRIM', log, 'MINID', '~', ARGV[3])
  redis.call('PEXPIRE', log, ARGV[1])
end
return ids
`;
const PUBLISH_SHA = createHash('sha1').update(PUBLISH_SCRIPT).digest('hex');

/** The bus message: `<tenantId>\n<event id>\n<payload JSON>` (parsed once per api process). */
export function parseBusMessage(message: string): { tenantId: string; id: string; payload: string } | null {
  const first = message.indexOf('\n');
  const second = message.indexOf('\n', first + 1);
  if (first < 0 || second < 0) return null;
  return { tenantId: message.slice(0, first), id: message.slice(first + 1, second), payload: message.slice(second + 1) };
}

type PublishSettings = { historyLength: number; historySeconds: number };
type PublishedEvent = Parameters<typeof payloadFor>[0];

export async function publishEvent(redis: Redis, prefix: string, settings: PublishSettings, event: PublishedEvent): Promise<string | null> {
  return (await publishEvents(redis, prefix, settings, [event]))[0] ?? null;
}

/** publishEvent for several events, in order, in one round trip: per event its stream id (null: none, or published before). */
export async function publishEvents(redis: Redis, prefix: string, settings: PublishSettings, events: PublishedEvent[]): Promise<(string | null)[]> {
  // Installation-wide events (tenant created) have no tenant stream.
  const tenantEvents = events.filter((e): e is PublishedEvent & { tenantId: string } => Boolean(e.tenantId));
  if (tenantEvents.length === 0) return events.map(() => null);
  const keys = realtimeKeys(prefix);
  const ttlMs = settings.historySeconds * 1000;
  const args: string[] = [];
  for (const event of tenantEvents) args.push(keys.seen(event.tenantId, event.eventId), keys.log(event.tenantId));
  args.push(String(ttlMs), String(settings.historyLength), `${Date.now() - ttlMs}-0`, keys.channel);
  for (const event of tenantEvents) args.push(payloadFor(event), event.tenantId);
  const numKeys = tenantEvents.length * 2;
  let result: unknown;
  try {
    result = await redis.evalsha(PUBLISH_SHA, numKeys, ...args);
  } catch (error) {
    if (!String((error as Error)?.message).startsWith('NOSCRIPT')) throw error;
    result = await redis.eval(PUBLISH_SCRIPT, numKeys, ...args);
  }
  const ids = Array.isArray(result) ? result : [];
  const byEvent = new Map(tenantEvents.map((e, i) => [e, typeof ids[i] === 'string' ? (ids[i] as string) : null]));
  return events.map((e) => byEvent.get(e as PublishedEvent & { tenantId: string }) ?? null);
}

/**
 * The realtime publisher: one consumer of the event spine (queue `events.realtime`), so a slow
 * Redis never delays webhooks and the reverse. One job at a time keeps a tenant's log in the order
 * the relay handed the events over; a batch of events is published in one script call.
 */
export const realtimePublisher: DomainEventConsumer = {
  name: 'realtime',
  concurrency: 1,
  async handle(event, deps) {
    await publishWith(deps, [event]);
  },
  async handleBatch(events, deps) {
    // One script for the batch: it succeeds or fails as a whole (each event then retried alone).
    await publishWith(deps, events);
    return events.map(() => undefined);
  },
};

function publishWith({ config, services }: ConsumerDeps, events: PublishedEvent[]): Promise<(string | null)[]> {
  const settings = realtimeConfig(config);
  return publishEvents(services.get(REALTIME_PUBLISHER_REDIS), config.QUEUE_PREFIX, { historyLength: settings.REALTIME_HISTORY_LENGTH, historySeconds: settings.REALTIME_HISTORY_SECONDS }, events);
}
