/** Splits a partition's batch into chunks of at most `size`, each applied in one transaction. */
export function chunksOf<Item>(items: readonly Item[], size: number): Item[][] {
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`chunk size must be a positive integer, not ${size}`);
  const chunks: Item[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

/**
 * The items whose id appears for the first time, in their order: the same event delivered twice in one chunk
 * is applied at its first offset and is a duplicate at the later one, as it would be one message at a time.
 */
export function firstOccurrences<Item>(items: readonly Item[], idOf: (item: Item) => string): Item[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const id = idOf(item);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** Maximal runs of consecutive items with the same key, in order (a batch handler gets one run at a time). */
export function runsOf<Item>(items: readonly Item[], keyOf: (item: Item) => string): Item[][] {
  const runs: Item[][] = [];
  let current: Item[] = [];
  let currentKey: string | undefined;
  for (const item of items) {
    const key = keyOf(item);
    if (current.length > 0 && key !== currentKey) {
      runs.push(current);
      current = [];
    }
    current.push(item);
    currentKey = key;
  }
  if (current.length > 0) runs.push(current);
  return runs;
}
