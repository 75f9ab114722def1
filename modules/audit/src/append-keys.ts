import type { MaintenanceTask } from '@plinto/kernel';
import { auditConfig } from './config';

/**
 * Forgets batch appends' idempotency keys after AUDIT_APPEND_KEY_TTL_HOURS (as Stripe keeps its
 * keys a day): a retry comes within minutes, and the table would otherwise grow with every event.
 * The events themselves stay (their retention is the audit log's).
 */
export const auditAppendKeysTask: MaintenanceTask = {
  name: 'audit.append-keys',
  everyMs: 60 * 60 * 1000,
  run: async ({ orm, config }) => {
    const hours = auditConfig(config).AUDIT_APPEND_KEY_TTL_HOURS;
    const [row] = await orm.em.fork().execute<{ n: number }[]>(
      'with forgotten as (delete from audit_append_keys where created_at < now() - make_interval(hours => ?) returning 1) select count(*)::int as n from forgotten',
      [hours],
    );
    return { deletedKeys: row?.n ?? 0 };
  },
};
