import { TRPCClientError, type TRPCLink } from '@trpc/client';
import { observable } from '@trpc/server/observable';
import type { AppRouter } from '../generated/router.js';
import type { TokenManager } from './tokens.js';

/**
 * Retries a call once after refreshing the session when it was refused as unauthenticated (the
 * access token expired in flight, or the clock of this machine runs behind the server's).
 */
export function refreshOnUnauthorizedLink(tokens: TokenManager): TRPCLink<AppRouter> {
  return () =>
    ({ op, next }) =>
      observable((observer) => {
        let unsubscribe = () => {};
        const attempt = (retried: boolean, sent: string | null) => {
          const subscription = next(retried ? { ...op, context: { ...op.context, retried: true } } : op).subscribe({
            next: (value) => observer.next(value),
            complete: () => observer.complete(),
            error: (error) => {
              const unauthorized = error instanceof TRPCClientError && (error.data as { httpStatus?: number } | undefined)?.httpStatus === 401;
              if (!unauthorized || retried || op.type === 'subscription' || !tokens.current) return observer.error(error);
              tokens.refresh(sent ?? undefined).then(
                () => attempt(true, null),
                () => observer.error(error),
              );
            },
          });
          unsubscribe = () => subscription.unsubscribe();
        };
        attempt(false, tokens.current?.accessToken ?? null);
        return () => unsubscribe();
      });
}
