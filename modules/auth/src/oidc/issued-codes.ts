/**
 * What this process knows of the codes it issued lately: everything the code row says that never
 * changes (who, what scope, which sign-in). The token endpoint, when the code comes back to the
 * process that issued it, spends the code and creates the grant's session in one statement —
 * whether the code is still spendable (unused, unexpired, this client, this redirect URI, this
 * PKCE verifier) is still decided by PostgreSQL in that statement; only the row's immutable
 * columns come from here. A code redeemed at another process takes the two-statement path.
 */
export interface IssuedCode {
  userId: string;
  scope: string[];
  nonce: string | null;
  resource: string | null;
  authTime: Date;
  amr: string[];
  aal: number;
  user: UserSnapshot | null;
  expiresAt: number;
}

/** The user's claim sources, as read when the code was issued (oidc_authorization_codes.user_snapshot). */
export interface UserSnapshot {
  email: string;
  displayName: string | null;
  emailVerifiedAt: string | null;
  updatedAt: string;
}

const MAX_ENTRIES = 20_000;
const issued = new Map<string, IssuedCode>();

export function rememberIssuedCode(codeHash: string, code: IssuedCode): void {
  // Oldest first (insertion order): drop the expired, and the oldest when full.
  const now = Date.now();
  for (const [hash, entry] of issued) {
    if (entry.expiresAt > now && issued.size < MAX_ENTRIES) break;
    issued.delete(hash);
  }
  issued.set(codeHash, code);
}

/** The code's remembered facts, once (a second presentation takes the database's path). */
export function takeIssuedCode(codeHash: string): IssuedCode | undefined {
  const entry = issued.get(codeHash);
  if (!entry) return undefined;
  issued.delete(codeHash);
  return entry.expiresAt > Date.now() ? entry : undefined;
}
