import { AppError, type Principal } from '@plinto/kernel';
import { CLOSE_CODES, type CloseCode } from './close-codes';
import { RealtimeErrors } from './errors';
import type { FrameSink } from './live';
import type { Inbox } from './subscription';

/** How a transport carries a connection (a WebSocket, an SSE response, a graphql-ws socket). */
export interface ConnectionTransport {
  /** Ends the connection: a WebSocket closes with `code`; an SSE response ends after its streams' error. */
  close(code: CloseCode, reason: string): void;
  /** Bytes written but not yet sent to the client (the send buffer). */
  bufferedBytes(): number;
  /** Set by transports that can write pre-encoded frames (tRPC over WebSocket): the live fast path (live.ts). */
  frames?: FrameSink;
}

/** Who holds the connection, and how their credential is checked again. */
export interface ConnectionCredential {
  principal: Principal;
  tenantId: string;
  /** When the access token expires (ms since epoch); null for credentials without expiry (API keys). */
  expiresAt: number | null;
  /** Verifies the credential again (revoked? expired? key deleted?): throws an AppError when it no longer holds. */
  verify?(): Promise<unknown>;
  /**
   * Equal for connections whose `verify` answers the same (same credential, address and tenant):
   * the periodic safety net checks each such credential once, not once per connection.
   */
  verifyKey?: string;
}

/** Why the connection ended, as a close code and the error its streams end with. */
const ENDINGS = {
  SESSION_REVOKED: { code: CLOSE_CODES.SESSION_REVOKED, error: () => RealtimeErrors.REALTIME_SESSION_REVOKED() },
  TOKEN_EXPIRED: { code: CLOSE_CODES.TOKEN_EXPIRED, error: () => RealtimeErrors.REALTIME_TOKEN_EXPIRED() },
  SLOW_CONSUMER: { code: CLOSE_CODES.SLOW_CONSUMER, error: () => RealtimeErrors.REALTIME_SLOW_CONSUMER() },
  SERVICE_RESTART: { code: CLOSE_CODES.SERVICE_RESTART, error: () => RealtimeErrors.REALTIME_DRAINING() },
} as const;
export type Ending = keyof typeof ENDINGS;

/** Time a revoked connection gets to send what was already queued for it (its own revocation event, say). */
const FLUSH_GRACE_MS = 200;
const MAX_TIMER_MS = 2 ** 31 - 1;

let sequence = 0;

/**
 * One client connection held by this api process. It ends itself when its token expires, and the
 * hub ends it when its session is revoked or it falls behind. Subscriptions on it end with the
 * matching error; the transport closes with the matching code.
 */
export class RealtimeConnection {
  readonly id = `c${++sequence}`;
  readonly inboxes = new Set<Inbox>();
  private expiry: NodeJS.Timeout | null = null;
  private closing: NodeJS.Timeout | null = null;
  private endedWith: Ending | null = null;

  constructor(
    private credential: ConnectionCredential,
    private readonly transport: ConnectionTransport,
    private readonly onEnd: (connection: RealtimeConnection, ending: Ending) => void,
  ) {
    this.armExpiry();
  }

  get tenantId(): string {
    return this.credential.tenantId;
  }
  get principal(): Principal {
    return this.credential.principal;
  }
  /** One key per credential holder, for the per-principal connection limit. */
  get principalKey(): string {
    return `${this.principal.kind}:${this.principal.id}`;
  }
  get sessionId(): string | null {
    return (this.principal.attributes.sessionId as string | undefined) ?? null;
  }
  get tokenId(): string | null {
    return (this.principal.attributes.tokenId as string | undefined) ?? null;
  }
  get ended(): boolean {
    return this.endedWith !== null;
  }

  bufferedBytes(): number {
    return this.transport.bufferedBytes();
  }

  /** Where the fast path writes this connection's frames; undefined when its transport encodes each message itself. */
  get frames(): FrameSink | undefined {
    return this.transport.frames;
  }

  /** A renewed token for the same principal: the connection lives on until the new expiry. */
  renew(credential: ConnectionCredential): void {
    this.credential = credential;
    this.armExpiry();
  }

  /** Ends the connection now. */
  end(ending: Ending): void {
    if (this.endedWith) return;
    this.endedWith = ending;
    this.clearTimers();
    const { code, error } = ENDINGS[ending];
    for (const inbox of this.inboxes) inbox.fail(error());
    this.onEnd(this, ending);
    this.transport.close(code, ending);
  }

  /**
   * Ends the connection once what is already queued for it is sent, and at the latest after a
   * short grace (a revoked session's own `session.revoked` event reaches it, then it closes).
   */
  endSoon(ending: Ending): void {
    if (this.endedWith || this.closing) return;
    this.closing = setTimeout(() => this.end(ending), FLUSH_GRACE_MS);
    this.pendingEnding = ending;
    this.flushed();
  }
  private pendingEnding: Ending | null = null;

  /** Called by a subscription whenever its inbox ran empty: ends a connection waiting to close. */
  flushed(): void {
    if (!this.pendingEnding) return;
    for (const inbox of this.inboxes) if (inbox.pending > 0) return;
    this.end(this.pendingEnding);
  }

  /** Connections with the same key share one credential check (see ConnectionCredential.verifyKey). */
  get verifyKey(): string {
    return this.credential.verifyKey ?? this.id;
  }

  /** Checks the credential again (periodic safety net behind the revocation events); the ending it led to, if any. */
  async recheck(): Promise<Ending | null> {
    if (!this.credential.verify || this.ended) return null;
    try {
      await this.credential.verify();
      return null;
    } catch (error) {
      if (!(error instanceof AppError) || error.status !== 401) return null; // an outage is not a revocation
      const ending = (error.details as { reason?: string } | undefined)?.reason === 'expired' ? 'TOKEN_EXPIRED' : 'SESSION_REVOKED';
      this.end(ending);
      return ending;
    }
  }

  private armExpiry(): void {
    if (this.expiry) clearTimeout(this.expiry);
    this.expiry = null;
    const expiresAt = this.credential.expiresAt;
    if (expiresAt === null) return;
    const arm = () => {
      const left = expiresAt - Date.now();
      if (left <= 0) return this.end('TOKEN_EXPIRED');
      this.expiry = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
      this.expiry.unref();
    };
    arm();
  }

  private clearTimers(): void {
    if (this.expiry) clearTimeout(this.expiry);
    if (this.closing) clearTimeout(this.closing);
    this.expiry = this.closing = null;
  }
}
