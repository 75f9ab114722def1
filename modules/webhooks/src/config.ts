import { z } from 'zod';
import { hostListSetting, readConfigSection, type Config } from '@plinto/kernel';
import { parseDuration, parseDurationList } from './duration';

/** A duration setting (`250ms`, `5s`, `2h`; bare numbers are seconds), in milliseconds. */
const duration = (fallback: string) =>
  z
    .union([z.number(), z.string()])
    .default(fallback)
    .transform((v, ctx) => {
      try {
        return typeof v === 'number' ? v : parseDuration(v);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    });

const durationList = (fallback: string) =>
  z
    .union([z.array(z.number()), z.string()])
    .default(fallback)
    .transform((v, ctx) => {
      try {
        const list = typeof v === 'string' ? parseDurationList(v) : v;
        if (list.length === 0 || list.length > 20) throw new Error('between 1 and 20 delays are required');
        return list;
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    });


export const webhookConfigSchema = z.object({
  /** Delay before each attempt (the first is usually 0); its length is the number of attempts. */
  WEBHOOK_RETRY_SCHEDULE: durationList('0,5s,5m,30m,2h,5h,10h,10h'),
  /** How long one attempt may take, connection and response included. */
  WEBHOOK_TIMEOUT: duration('15s'),
  /** Hosts or addresses that may be delivered to although they are not public (dev and tests). */
  WEBHOOK_ALLOWED_HOSTS: hostListSetting,
  /** An endpoint whose deliveries fail continuously for this long is disabled. */
  WEBHOOK_DISABLE_AFTER: duration('5d'),
  /** After a secret rotation, deliveries are also signed with the old secret for this long, by default. */
  WEBHOOK_ROTATION_OVERLAP: duration('24h'),
  /** Encrypts signing secrets at rest (32+ characters); defaults to a key derived from PLINTO_MASTER_KEY. */
  WEBHOOK_SECRETS_KEY: z.string().min(32).optional(),
  /** Deliveries one workers process runs at the same time. */
  WEBHOOK_CONCURRENCY: z.coerce.number().int().positive().max(1000).default(32),
  /** A claimed delivery whose worker died is taken over after this long. */
  WEBHOOK_CLAIM_TIMEOUT: duration('60s'),
});

export type WebhookConfig = z.infer<typeof webhookConfigSchema>;


export const webhookConfig = (config: Config): WebhookConfig => readConfigSection(config, webhookConfigSchema);
