/** The millisecond timestamp a UUIDv7 was minted at (its first 48 bits). */
export function uuidv7Time(id: string): number {
  return parseInt(id.replace(/-/g, '').slice(0, 12), 16);
}
