import { createContext, useContext, type ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useTRPC } from './trpc';
import { loadBrowserSession, loadOperatorSession } from './csrf';

export interface ConsoleSession {
  tenant: string;
  kind: string;
  principalId: string;
  email: string | null;
  isPlatformOperator: boolean;
  /** The platform key's name, for an operator signed in on the console. */
  operatorName: string | null;
  /** A hint for the interface only: the server decides every call again. */
  can(permission: string): boolean;
}

const SessionContext = createContext<ConsoleSession | null>(null);

export function useSession(): ConsoleSession {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside <SessionBoundary>');
  return session;
}

/** Whether the current person may do `permission`; controls are disabled (not hidden) otherwise. */
export function useCan(permission: string): boolean {
  return useSession().can(permission);
}

export type SessionState = { status: 'loading' } | { status: 'signed-out' } | { status: 'error'; message: string } | { status: 'ready'; session: ConsoleSession };

export function useSessionState(tenant: string): SessionState {
  const trpc = useTRPC();
  // The cookie session first: it hands over the CSRF token every later change carries. A platform
  // operator's console session, when there is one, is used in every tenant instead.
  const browser = useQuery({
    queryKey: ['browser-session', tenant],
    queryFn: async () => (await loadOperatorSession()) ?? (await loadBrowserSession(tenant)),
    retry: false,
    staleTime: Infinity,
  });
  const whoami = useQuery({ ...trpc.system.whoami.queryOptions(), enabled: browser.isFetched, retry: false });
  const isUser = whoami.data?.kind === 'user';
  const me = useQuery({ ...trpc.auth.session.queryOptions(), enabled: isUser, retry: false });
  const mine = useQuery({ ...trpc.policies.mine.queryOptions(), enabled: !!whoami.data, retry: false });
  if (browser.error) return { status: 'error', message: browser.error.message };
  if (whoami.error) {
    const status = (whoami.error.data as { httpStatus?: number } | undefined)?.httpStatus;
    return status === 401 ? { status: 'signed-out' } : { status: 'error', message: whoami.error.message };
  }
  if (!whoami.data || !mine.data || (isUser && !me.data)) {
    if (mine.error) return { status: 'error', message: mine.error.message };
    return { status: 'loading' };
  }
  const held = new Set(mine.data.permissions);
  return {
    status: 'ready',
    session: {
      tenant,
      kind: whoami.data.kind,
      principalId: whoami.data.id,
      email: me.data?.user.email ?? null,
      isPlatformOperator: whoami.data.kind === 'platform_operator',
      operatorName: browser.data && 'operator' in browser.data ? browser.data.operator.name : null,
      can: (permission) => held.has(permission),
    },
  };
}

export function SessionProvider({ session, children }: { session: ConsoleSession; children: ReactNode }) {
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}
