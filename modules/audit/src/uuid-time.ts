/** The latest instant PostgreSQL's timestamptz text form accepts from JavaScript (9999-12-31). */
const LATEST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * The millisecond timestamp a UUIDv7 was minted at (its first 48 bits), or null when the id is not
 * a version 7 uuid or names an instant past year 9999: a cursor or an id comes from the client, and
 * a time bound derived from anything else would be garbage (and PostgreSQL refuses the date).
 * Callers then query by the id alone, which is correct, only slower (no partition pruning).
 */
export function uuidv7Time(id: string): number | null {
  const hex = id.replace(/-/g, '');
  if (hex.length !== 32 || hex[12] !== '7') return null;
  const ms = parseInt(hex.slice(0, 12), 16);
  return Number.isFinite(ms) && ms <= LATEST ? ms : null;
}
