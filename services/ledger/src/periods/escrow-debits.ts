const CHUNK = 65_536;
const UUID_BYTES = 16;
const MAX_TOKENS = 2n ** 64n - 1n;

interface Chunk {
  readonly ids: Buffer;
  readonly tokens: BigUint64Array;
  length: number;
}

/**
 * The paying subscribers of a close and their tokens, in the order they were added, kept from the allocating pass
 * until the close posts their escrow debits (the transaction's hash covers its memo, the Merkle root, before its
 * entries): 24 bytes per subscriber (the uuid's bytes and the tokens), off the JS heap.
 */
export class EscrowDebits {
  private readonly chunks: Chunk[] = [];
  private count = 0;

  add(subscriberId: string, tokens: bigint): void {
    if (tokens <= 0n || tokens > MAX_TOKENS)
      throw new RangeError(`subscriber ${subscriberId}: ${tokens} uCC is outside 1..2^64-1`);
    let chunk = this.chunks[this.chunks.length - 1];
    if (!chunk || chunk.length === CHUNK) {
      chunk = { ids: Buffer.alloc(CHUNK * UUID_BYTES), tokens: new BigUint64Array(CHUNK), length: 0 };
      this.chunks.push(chunk);
    }
    const hex = subscriberId.replaceAll('-', '');
    if (chunk.ids.write(hex, chunk.length * UUID_BYTES, 'hex') !== UUID_BYTES || hex.length !== 32)
      throw new RangeError(`not a uuid: ${subscriberId}`);
    chunk.tokens[chunk.length] = tokens;
    chunk.length += 1;
    this.count += 1;
  }

  get size(): number {
    return this.count;
  }

  *[Symbol.iterator](): Iterator<{ readonly subscriberId: string; readonly tokens: bigint }> {
    for (const chunk of this.chunks)
      for (let index = 0; index < chunk.length; index++) {
        const hex = chunk.ids.toString('hex', index * UUID_BYTES, (index + 1) * UUID_BYTES);
        yield {
          subscriberId: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`,
          tokens: chunk.tokens[index] as bigint,
        };
      }
  }
}
