import { describe, expect, it } from 'vitest';
import type { Logger } from '@plinto/kernel';
import { startTestApi } from '../src';
import { emailProcessor } from '../../workers/src/processors/email';

/**
 * The quick start without a mail server: with the default `log` transport on a developer's
 * machine (NODE_ENV=development) the emailed link is in the log, pointing at the hosted page;
 * anywhere else (test, production) the log never carries it (see auth-email.test.ts).
 */
describe('development email', () => {
  it('prints the link of a message sent through the log transport in development', async () => {
    const api = await startTestApi({});
    const lines: string[] = [];
    const capture = (obj: unknown, msg?: string) => void lines.push(`${JSON.stringify(obj)} ${msg ?? ''}`);
    const logger = { info: capture, warn: capture, debug: capture, error: capture, trace: capture } as unknown as Logger;
    const config = { ...api.config, EMAIL_PROVIDER: 'log', NODE_ENV: 'development' } as typeof api.config;
    const process = emailProcessor({ orm: api.server.orm, config, logger });
    const tenant = await api.rest('GET', '/v1/tenants/default');
    const link = `${api.url}/t/default/verify-email?token=dev-token-value-1234567890`;
    const job = { id: 'job-1', attemptsMade: 0, data: { template: 'email_verification', tenantId: tenant.body.id, to: 'dev@example.com', link, expiresInMinutes: 10 }, updateData: async () => undefined };
    await process(job as never);
    const line = lines.find((l) => l.includes('email (log provider; not sent)'));
    expect(line).toContain(`open: ${link}`);
    expect(line).toContain('dev@example.com');
  });
});
