/**
 * What was computed per closed period, kept in memory: a closed period never changes, only an adjustment adds to
 * it, so an entry holds while its `version` (the period's latest adjustment) does. Concurrent readers of one
 * period share one computation; a failed one is forgotten, so the next reader tries again. At most `capacity`
 * periods are kept, the least recently read dropped first.
 */
export class ClosedPeriodCache<Value> {
  private readonly entries = new Map<string, { readonly version: number; readonly value: Promise<Value> }>();

  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new Error('the cache must hold at least one period');
  }

  read(period: string, version: number, compute: () => Promise<Value>): Promise<Value> {
    const kept = this.entries.get(period);
    this.entries.delete(period);
    if (kept && kept.version === version) {
      this.entries.set(period, kept); // now the most recently read
      return kept.value;
    }
    const value = compute();
    const entry = { version, value };
    this.entries.set(period, entry);
    value.catch(() => {
      if (this.entries.get(period) === entry) this.entries.delete(period);
    });
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.capacity) break;
      this.entries.delete(oldest);
    }
    return value;
  }

  get size(): number {
    return this.entries.size;
  }
}
