/** The scopes Plinto's provider knows, what the consent screen says about them, and their claims. */
export const SCOPES: Record<string, { description: string; claims: string[] }> = {
  openid: { description: 'Sign you in (your user id)', claims: ['sub'] },
  profile: { description: 'Your name', claims: ['name', 'updated_at'] },
  email: { description: 'Your email address', claims: ['email', 'email_verified'] },
  offline_access: { description: 'Stay signed in while you are away (refresh tokens)', claims: [] },
};

export const SUPPORTED_SCOPES = Object.keys(SCOPES);

export const parseScope = (scope: string | undefined): string[] => [...new Set((scope ?? '').split(' ').filter(Boolean))];

/** Claims of `user` that `scopes` release (userinfo, and the ID token). */
export function userClaims(user: { id: string; email: string; displayName: string | null; emailVerifiedAt: Date | null; updatedAt: Date }, scopes: string[]): Record<string, unknown> {
  const claims: Record<string, unknown> = { sub: user.id };
  if (scopes.includes('profile')) {
    if (user.displayName) claims.name = user.displayName;
    claims.updated_at = Math.floor(user.updatedAt.getTime() / 1000);
  }
  if (scopes.includes('email')) {
    claims.email = user.email;
    claims.email_verified = user.emailVerifiedAt !== null;
  }
  return claims;
}
