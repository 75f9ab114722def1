import { AppError, counter, isDependencyOutage, observeRecordedEvents, type DomainEvent } from '@plinto/kernel';

/**
 * Sign-in and token metrics of the api. Sign-ins are counted where their outcome is known — the
 * answer of the sign-in procedures, throttles and outages included; lockouts, refresh-token reuse
 * and issued tokens from the domain events the auth module records (one per occurrence).
 */
const signIns = counter({ name: 'plinto_auth_sign_ins_total', help: 'Sign-in attempts by method and outcome (success, mfa_required, or the error code)', labelNames: ['method', 'outcome'] });
const lockouts = counter({ name: 'plinto_auth_lockouts_total', help: 'Accounts locked after too many failed sign-ins' });
const tokensIssued = counter({ name: 'plinto_auth_tokens_issued_total', help: 'Access tokens issued, by grant (password, magic_link, mfa, invitation, refresh_token, client_credentials)', labelNames: ['grant'] });
const refreshReuse = counter({ name: 'plinto_auth_refresh_reuse_detected_total', help: 'Rotated refresh tokens used again (their session was revoked)' });

/** The procedures that sign a user in, by method. */
const SIGN_IN_PROCEDURES: Record<string, string> = {
  'auth.signIn': 'password',
  'auth.consumeMagicLink': 'magic_link',
  'auth.verifyMfa': 'mfa',
};

/** Counts the successful sign-ins of a tRPC or REST answer (`data[i]` answers `paths[i]`). */
export function countSignInSuccesses(paths: readonly string[] | undefined, data: readonly unknown[]): void {
  paths?.forEach((path, i) => {
    const method = SIGN_IN_PROCEDURES[path];
    const result = data[i] as { status?: string } | undefined;
    if (method && result) signIns.inc({ method, outcome: result.status === 'mfa_required' ? 'mfa_required' : 'success' });
  });
}

/** Counts a failed sign-in (from the adapters' onError, which names the failing procedure). */
export function countSignInFailure(path: string | undefined, error: unknown): void {
  const method = path ? SIGN_IN_PROCEDURES[path] : undefined;
  if (method) signIns.inc({ method, outcome: outcomeOf(error) });
}

function outcomeOf(error: unknown): string {
  const cause = (error as { cause?: unknown })?.cause;
  if (error instanceof AppError) return error.appCode.toLowerCase();
  if (cause instanceof AppError) return cause.appCode.toLowerCase();
  if (isDependencyOutage(error)) return 'service_unavailable';
  return (error as { code?: string })?.code === 'BAD_REQUEST' ? 'validation_failed' : 'error';
}

/** Subscribes the event-derived counters (once per process). */
let subscribed = false;
export function observeAuthEvents(): void {
  if (subscribed) return;
  subscribed = true;
  observeRecordedEvents((event: DomainEvent) => {
    switch (event.action) {
      case 'user.locked':
        return lockouts.inc();
      case 'session.token_reuse_detected':
        return refreshReuse.inc();
      case 'user.signed_in':
        return tokensIssued.inc({ grant: String(event.data?.method ?? 'unknown') });
      case 'session.refreshed':
        return tokensIssued.inc({ grant: 'refresh_token' });
      case 'client.token_issued':
        return tokensIssued.inc({ grant: 'client_credentials' });
    }
  });
}
