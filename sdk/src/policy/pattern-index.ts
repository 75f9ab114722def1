/**
 * Values keyed by a keyMatch pattern (a literal, or a prefix ending in `*`), looked up by a
 * concrete key in O(number of distinct prefix lengths) — never by scanning every pattern.
 */
export class PatternIndex<T> {
  private readonly exact = new Map<string, T>();
  private readonly prefixes = new Map<string, T>();
  private lengths: number[] = [];

  getOrCreate(pattern: string, create: () => T): T {
    const star = pattern.indexOf('*');
    const map = star === -1 ? this.exact : this.prefixes;
    const key = star === -1 ? pattern : pattern.slice(0, star);
    let value = map.get(key);
    if (value === undefined) {
      value = create();
      map.set(key, value);
      if (star !== -1 && !this.lengths.includes(key.length)) this.lengths = [...this.lengths, key.length].sort((a, b) => a - b);
    }
    return value;
  }

  /** Calls `visit` with every value whose pattern matches `key`. */
  forEachMatch(key: string, visit: (value: T) => void): void {
    const exact = this.exact.get(key);
    if (exact !== undefined) visit(exact);
    for (const length of this.lengths) {
      if (length > key.length) break;
      const value = this.prefixes.get(key.slice(0, length));
      if (value !== undefined) visit(value);
    }
  }
}
