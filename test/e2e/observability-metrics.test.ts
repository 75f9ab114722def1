import { describe, expect, it } from 'vitest';
import { signedInUser, startTestApi, startTestWorkers, waitFor } from '../src';
import { startSmtpSink } from '../src/smtp-sink';
import { has, moved, scrape, sample } from '../src/prometheus';
import { startReceiver } from './webhooks.receiver';

/**
 * A scripted scenario against the api and the workers, then /metrics of both: each metric moved by
 * exactly what the scenario did.
 */
describe('Prometheus metrics of the api and the workers', () => {
  it('move by what a scripted scenario did', async () => {
    const smtp = await startSmtpSink();
    const api = await startTestApi({
      AUTH_ACCOUNT_LOCK_THRESHOLD: '3',
      AUTH_ACCOUNT_DELAY_AFTER: '0',
      AUTH_REFRESH_GRACE_SECONDS: '0',
      AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000',
      EMAIL_PROVIDER: 'smtp',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      WEBHOOK_RETRY_SCHEDULE: '0,0',
      WEBHOOK_TIMEOUT: '5s',
    });
    const workers = await startTestWorkers(api.config);
    const apiMetrics = `${api.url}/metrics`;
    const tenant = (await api.rest('POST', '/v1/tenants', { body: { slug: 'metrics', name: 'Metrics' } })).body as { id: string; slug: string };
    const good = await startReceiver();
    const bad = await startReceiver();
    bad.respond = (_d, _n, res) => res.writeHead(500).end('no');
    const goodEndpoint = await api.rest('POST', '/v1/webhooks/endpoints', { tenant: tenant.slug, body: { url: good.url, eventTypes: ['tenant.updated'] } });
    const badEndpoint = await api.rest('POST', '/v1/webhooks/endpoints', { tenant: tenant.slug, body: { url: bad.url, eventTypes: ['tenant.updated'] } });
    expect([goodEndpoint.status, badEndpoint.status]).toEqual([201, 201]);
    good.secrets = [goodEndpoint.body.secret];
    bad.secrets = [badEndpoint.body.secret];
    // A user whose verification email is already out (and counted) before the baseline.
    const user = await signedInUser(api, { email: 'someone@metrics.test', tenant: tenant.slug });
    await waitFor(() => smtp.messages.length === 1, 'the verification email');
    await waitFor(async () => sample(await scrape(workers.metricsUrl), 'plinto_email_sent_total', { provider: 'smtp', template: 'email_verification' }) === 1, 'the email to be counted');

    const apiBefore = await scrape(apiMetrics);
    const workersBefore = await scrape(workers.metricsUrl);

    // Sign-ins: one success, three wrong passwords (the third locks), one refused while locked.
    const signIn = (password: string, email = 'someone@metrics.test') => api.rest('POST', '/v1/auth/sign-in', { token: null, tenant: tenant.slug, body: { email, password } });
    expect((await signIn(user.password)).status).toBe(200);
    // Signed up only: a sign-in would hold one throttle slot for a while (see auth's throttle.ts).
    const victim = { email: 'victim@metrics.test', password: 'victim password correct horse' };
    expect((await api.rest('POST', '/v1/auth/sign-up', { token: null, tenant: tenant.slug, body: victim })).status).toBeLessThan(300);
    for (let i = 0; i < 3; i++) expect((await signIn('wrong password here', victim.email)).status).toBe(401);
    const locked = await signIn(victim.password, victim.email);
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('ACCOUNT_LOCKED');
    // Every 429 says when to come back: here, when the lock ends.
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(800);

    // Refresh once, then replay the rotated token: reuse detected.
    const session = await signIn(user.password);
    const refresh = (token: string) => fetch(`${api.url}/t/${tenant.slug}/oauth/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token }) });
    expect((await refresh(session.body.refresh_token)).status).toBe(200);
    expect((await refresh(session.body.refresh_token)).status).toBe(400);

    // Authorization: the same denied question twice (a miss, then a hit).
    const fresh = await signIn(user.password);
    for (let i = 0; i < 2; i++) expect((await api.rest('GET', '/v1/users', { token: fresh.body.access_token })).status).toBe(403);

    // A webhook-causing change: one attempt succeeds, the other endpoint fails twice → dead letter.
    expect((await api.rest('PATCH', `/v1/tenants/${tenant.id}`, { body: { name: 'Metrics 2' } })).status).toBe(200);
    await waitFor(() => good.deliveries.length === 1 && bad.deliveries.length === 2, 'the deliveries', 20_000);
    await waitFor(async () => moved(workersBefore, await scrape(workers.metricsUrl), 'plinto_webhook_dead_letters_total', { reason: 'exhausted' }) === 1, 'the dead letter');

    const apiAfter = await scrape(apiMetrics);
    const workersAfter = await scrape(workers.metricsUrl);

    // Sign-ins by method and outcome.
    expect(moved(apiBefore, apiAfter, 'plinto_auth_sign_ins_total', { method: 'password', outcome: 'success' })).toBe(3);
    expect(moved(apiBefore, apiAfter, 'plinto_auth_sign_ins_total', { method: 'password', outcome: 'invalid_credentials' })).toBe(3);
    expect(moved(apiBefore, apiAfter, 'plinto_auth_sign_ins_total', { method: 'password', outcome: 'account_locked' })).toBe(1);
    expect(moved(apiBefore, apiAfter, 'plinto_auth_lockouts_total')).toBe(1);
    expect(moved(apiBefore, apiAfter, 'plinto_auth_tokens_issued_total', { grant: 'password' })).toBe(3);
    expect(moved(apiBefore, apiAfter, 'plinto_auth_tokens_issued_total', { grant: 'refresh_token' })).toBe(1);
    expect(moved(apiBefore, apiAfter, 'plinto_auth_refresh_reuse_detected_total')).toBe(1);
    // Two identical denied questions: one computed, one from the cache.
    expect(moved(apiBefore, apiAfter, 'plinto_authz_decisions_total', { result: 'deny', decided_by: 'engine' })).toBe(2);
    expect(moved(apiBefore, apiAfter, 'plinto_authz_decision_cache_total', { result: 'hit' })).toBeGreaterThanOrEqual(1);
    expect(moved(apiBefore, apiAfter, 'plinto_authz_decision_cache_total', { result: 'miss' })).toBeGreaterThanOrEqual(1);
    expect(moved(apiBefore, apiAfter, 'plinto_http_request_duration_seconds_count', { surface: 'v1', method: 'POST', status: '200' })).toBe(3);

    // Webhooks: 1 success + 2 failed attempts, their latencies, one dead letter.
    expect(moved(workersBefore, workersAfter, 'plinto_webhook_attempts_total', { result: 'success' })).toBe(1);
    expect(moved(workersBefore, workersAfter, 'plinto_webhook_attempts_total', { result: 'http_error' })).toBe(2);
    expect(moved(workersBefore, workersAfter, 'plinto_webhook_attempt_duration_seconds_count')).toBe(3);
    expect(moved(workersBefore, workersAfter, 'plinto_queue_jobs_completed_total', { queue: 'webhooks' })).toBe(2);
    // Email: the victim's verification email.
    await waitFor(() => smtp.messages.length === 2, 'the second verification email');
    await waitFor(async () => moved(workersBefore, await scrape(workers.metricsUrl), 'plinto_email_sent_total', { provider: 'smtp', template: 'email_verification' }) === 1, 'the email count');

    // Gauges of both processes: pool use, event-loop lag; queue depth/age, outbox and chain lag.
    for (const samples of [apiAfter, workersAfter]) {
      expect(sample(samples, 'plinto_db_pool_connections', { state: 'max' })).toBeGreaterThan(0);
      expect(has(samples, 'nodejs_eventloop_lag_seconds')).toBe(true);
    }
    expect([...workersAfter.keys()].some((k) => k.startsWith('plinto_queue_jobs{') && k.includes('queue="events.'))).toBe(true);
    for (const queue of ['webhooks', 'email', 'maintenance']) {
      expect(has(workersAfter, 'plinto_queue_jobs', { queue, state: 'waiting' })).toBe(true);
      expect(has(workersAfter, 'plinto_queue_oldest_waiting_seconds', { queue })).toBe(true);
    }
    for (const name of ['plinto_outbox_pending', 'plinto_outbox_lag_seconds', 'plinto_audit_chain_pending', 'plinto_audit_chain_lag_seconds']) {
      expect(has(workersAfter, name)).toBe(true);
    }
  }, 120_000);
});
