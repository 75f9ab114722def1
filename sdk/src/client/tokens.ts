/** Tokens of a signed-in session, as Plinto's sign-in and token endpoint return them. */
export interface SessionTokens {
  accessToken: string;
  refreshToken: string;
  /** Epoch milliseconds when the access token expires. */
  expiresAt: number;
}

export interface TokenManagerOptions {
  /** Plinto's base URL (PUBLIC_URL). */
  url: string;
  tenant: string;
  initial?: SessionTokens | null;
  /** Refresh this long before expiry, in ms. Default 30 000. */
  refreshLeewayMs?: number;
  /** Called with each new pair: persist the rotated refresh token here (the old one is now spent). */
  onTokens?: (tokens: SessionTokens | null) => void | Promise<void>;
  fetch?: typeof fetch;
  now?: () => number;
}

export class SignedOutError extends Error {
  override name = 'SignedOutError';
}

interface TokenResponse {
  access_token: string;
  refresh_token: string;
  expires_in: number;
}

/** Turns a token response (sign-in, refresh) into SessionTokens. */
export const sessionTokensOf = (response: TokenResponse, now = Date.now()): SessionTokens => ({
  accessToken: response.access_token,
  refreshToken: response.refresh_token,
  expiresAt: now + response.expires_in * 1000,
});

/**
 * Holds a session's tokens and refreshes them before they expire. Single flight: however many
 * calls need a fresh token at once, one refresh request is made and all of them wait for it —
 * essential because Plinto rotates refresh tokens (each can be used once; replaying a spent one
 * revokes the whole session). Rotation-aware: the new refresh token replaces the old one before
 * anyone can use the old one again, and `onTokens` hears of it.
 */
export class TokenManager {
  private tokens: SessionTokens | null;
  private refreshing: Promise<SessionTokens> | null = null;
  /** When the current tokens were obtained: the leeway never exceeds half their lifetime. */
  private obtainedAt: number;
  private readonly leeway: number;
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;
  /** Refresh requests made (for tests). */
  refreshes = 0;

  constructor(private readonly options: TokenManagerOptions) {
    this.tokens = options.initial ?? null;
    this.leeway = options.refreshLeewayMs ?? 30_000;
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.now = options.now ?? Date.now;
    this.obtainedAt = this.now();
  }

  get current(): SessionTokens | null {
    return this.tokens;
  }

  async set(tokens: SessionTokens | null): Promise<void> {
    this.tokens = tokens;
    this.obtainedAt = this.now();
    await this.options.onTokens?.(tokens);
  }

  /** A valid access token, refreshed first when it expires within the leeway; null when signed out. */
  async accessToken(): Promise<string | null> {
    if (!this.tokens) return null;
    // Short-lived tokens (say 30 s) would otherwise be "about to expire" from the start.
    const leeway = Math.min(this.leeway, Math.max(0, (this.tokens.expiresAt - this.obtainedAt) / 2));
    if (this.tokens.expiresAt - leeway > this.now()) return this.tokens.accessToken;
    return (await this.refresh()).accessToken;
  }

  /**
   * Refreshes now (single flight). `stale`: the access token a caller saw refused; when the tokens
   * already moved on since, the newer ones are returned instead of refreshing again.
   */
  refresh(stale?: string): Promise<SessionTokens> {
    if (this.refreshing) return this.refreshing;
    if (stale && this.tokens && this.tokens.accessToken !== stale) return Promise.resolve(this.tokens);
    const spent = this.tokens;
    if (!spent) return Promise.reject(new SignedOutError('Not signed in'));
    this.refreshing = this.exchange(spent.refreshToken).finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async exchange(refreshToken: string): Promise<SessionTokens> {
    this.refreshes += 1;
    const base = this.options.url.replace(/\/+$/, '');
    const response = await this.fetchImpl(`${base}/t/${encodeURIComponent(this.options.tenant)}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString(),
    });
    const body = (await response.json().catch(() => ({}))) as Partial<TokenResponse> & { error?: string };
    if (response.status === 400 && body.error === 'invalid_grant') {
      // The session is over (revoked, expired, or this token was already spent elsewhere).
      await this.set(null);
      throw new SignedOutError('The session has ended');
    }
    if (!response.ok || !body.access_token || !body.refresh_token || typeof body.expires_in !== 'number') {
      throw new Error(`Token refresh failed: ${response.status} ${body.error ?? ''}`.trim());
    }
    const next = sessionTokensOf(body as TokenResponse, this.now());
    await this.set(next);
    return next;
  }
}
