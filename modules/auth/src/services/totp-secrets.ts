import { secretBoxFor, type Config } from '@plinto/kernel';

/**
 * TOTP seeds must be read back to check codes, so they are encrypted (AES-256-GCM under a key
 * derived from PLINTO_MASTER_KEY), bound to their factor's id: a database dump alone cannot mint
 * codes, and a sealed seed copied onto another user's factor does not open.
 */
const PURPOSE = 'totp-secrets';

export const sealTotpSecret = (config: Config, factorId: string, secret: string): string => secretBoxFor(config, PURPOSE).seal(secret, factorId);

export const openTotpSecret = (config: Config, factor: { id: string; secret: string }): string => secretBoxFor(config, PURPOSE).open(factor.secret, factor.id);
