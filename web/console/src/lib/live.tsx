import { useCallback, useRef } from 'react';
import { Badge, Button, Group } from '@mantine/core';
import { skipToken } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useTRPC } from './trpc';
import { useCan } from './session';
import { errorText } from './format';

/** What a tenant event tells a screen: its type (the webhook payload's), or `null` for "reload everything" (a reset). */
export type LiveSignal = { type: string; id: string } | null;

export type LiveStatus = 'off' | 'connecting' | 'live' | 'unavailable';

/**
 * The tenant's events as they happen (`realtime.tenant` over SSE, through the tRPC client), for a
 * screen that re-reads its data when they arrive. Opened only for people who may receive them
 * (`events:subscribe`, a hint: the server decides again, and authorizes each event for this
 * subscriber). The stream ends when the session does (sign-out, revocation); tRPC's link
 * reconnects after a network loss and resumes from the last event id.
 */
export function useTenantEvents(types: string[], onSignal: (signal: LiveSignal) => void): { status: LiveStatus; error: string | null } {
  const trpc = useTRPC();
  const may = useCan('events:subscribe');
  const handler = useRef(onSignal);
  handler.current = onSignal;
  const subscription = useSubscription(
    trpc.realtime.tenant.subscriptionOptions(may ? { types } : skipToken, {
      onData: ({ data }) => {
        if (data.kind === 'event') handler.current({ type: data.event.type, id: data.event.id });
        else if (data.kind === 'reset') handler.current(null);
      },
    }),
  );
  if (!may) return { status: 'off', error: null };
  if (subscription.status === 'error') return { status: 'unavailable', error: errorText(subscription.error) };
  return { status: subscription.status === 'pending' ? 'live' : 'connecting', error: null };
}

/**
 * Runs `refresh` now, or — when one is already running — once more right after it, however many
 * events arrived meanwhile: a burst of events costs at most two re-reads, and the last one sees them all.
 */
export function useCoalesced(refresh: () => Promise<unknown>): () => void {
  const latest = useRef(refresh);
  latest.current = refresh;
  const state = useRef<{ running: boolean; again: boolean }>({ running: false, again: false });
  const run = useCallback((): void => {
    const s = state.current;
    if (s.running) {
      s.again = true;
      return;
    }
    s.running = true;
    void latest.current().finally(() => {
      s.running = false;
      if (s.again) {
        s.again = false;
        run();
      }
    });
  }, []);
  return run;
}

const LABELS: Record<LiveStatus, string> = { off: 'Live updates off', connecting: 'Connecting…', live: 'Live', unavailable: 'Live updates unavailable' };

/** The live indicator and its pause toggle; `waiting` counts events held back while paused. */
export function LiveControls({ status, error, paused, waiting, onToggle }: { status: LiveStatus; error: string | null; paused: boolean; waiting: number; onToggle: () => void }) {
  const label = status === 'live' && paused ? `Paused${waiting ? ` (${waiting} new)` : ''}` : LABELS[status];
  const color = status === 'live' ? (paused ? 'dark.6' : 'teal.9') : status === 'unavailable' ? 'red.9' : 'gray.7';
  return (
    <Group gap="xs">
      <Badge color={color} variant={status === 'live' && !paused ? 'filled' : 'outline'} data-testid="live-status" data-status={paused ? 'paused' : status} title={error ?? undefined} role="status">
        {label}
      </Badge>
      {status !== 'off' && (
        <Button size="xs" variant="default" onClick={onToggle} aria-pressed={paused}>
          {paused ? 'Resume live updates' : 'Pause live updates'}
        </Button>
      )}
    </Group>
  );
}
