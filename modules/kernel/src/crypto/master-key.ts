import { hkdfSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Config } from '../config';
import { SecretBox } from './secret-box';

/**
 * The master key (PLINTO_MASTER_KEY, 32 bytes as base64/base64url or 64 hex characters) from which
 * every at-rest encryption key is derived, one per purpose (HKDF-SHA256), so a key never serves two
 * purposes. Production refuses to start without it. On a developer machine one is generated into an
 * untracked local file (PLINTO_MASTER_KEY_FILE) with a warning, so `npm start` works out of the box
 * and restarts can still open what the previous run sealed.
 */
export function parseMasterKey(value: string): Buffer {
  const trimmed = value.trim();
  const key = /^[0-9a-f]{64}$/i.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64url');
  if (key.length !== 32) throw new Error('PLINTO_MASTER_KEY must be 32 bytes (64 hex characters or 43 base64url characters)');
  return key;
}

const masterKeys = new WeakMap<Config, Buffer>();

export function masterKey(config: Config, warn: (message: string) => void = (m) => console.warn(m)): Buffer {
  let key = masterKeys.get(config);
  if (key) return key;
  if (config.PLINTO_MASTER_KEY) key = parseMasterKey(config.PLINTO_MASTER_KEY);
  else if (config.NODE_ENV === 'production') throw new Error('PLINTO_MASTER_KEY must be set in production (32 random bytes, hex or base64url)');
  else key = localDevelopmentKey(resolve(config.PLINTO_MASTER_KEY_FILE), warn);
  masterKeys.set(config, key);
  return key;
}

function localDevelopmentKey(path: string, warn: (message: string) => void): Buffer {
  if (existsSync(path)) return parseMasterKey(readFileSync(path, 'utf8'));
  const key = randomBytes(32);
  mkdirSync(dirname(path), { recursive: true });
  // `wx`: two processes starting at once must not overwrite each other's key.
  try {
    writeFileSync(path, `${key.toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
    chmodSync(path, 0o600);
    warn(`PLINTO_MASTER_KEY is not set: generated a development master key in ${path}. Set PLINTO_MASTER_KEY in production.`);
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return parseMasterKey(readFileSync(path, 'utf8'));
    throw error;
  }
}

const derived = new WeakMap<Config, Map<string, Buffer>>();

/**
 * A 32-byte key for one purpose (e.g. `signing-keys`), derived from the master key — once per
 * configuration and purpose: the browser-session cookie's MAC asks for its key on every request.
 * Callers use it as a key only (never mutate it).
 */
export function derivedKey(config: Config, purpose: string): Buffer {
  let byPurpose = derived.get(config);
  if (!byPurpose) derived.set(config, (byPurpose = new Map()));
  let key = byPurpose.get(purpose);
  if (!key) byPurpose.set(purpose, (key = Buffer.from(hkdfSync('sha256', masterKey(config), Buffer.alloc(0), `plinto:${purpose}`, 32))));
  return key;
}

const boxes = new WeakMap<Config, Map<string, SecretBox>>();

/** The SecretBox of `purpose` for this configuration (one per process and purpose). */
export function secretBoxFor(config: Config, purpose: string): SecretBox {
  let byPurpose = boxes.get(config);
  if (!byPurpose) boxes.set(config, (byPurpose = new Map()));
  let box = byPurpose.get(purpose);
  if (!box) byPurpose.set(purpose, (box = new SecretBox(derivedKey(config, purpose))));
  return box;
}
