/** Redis Cluster's number of hash slots. */
const SLOTS = 16_384;

/**
 * The part of a key Redis Cluster hashes: what lies between the first `{` and the next `}`, when that is not
 * empty; else the whole key. Keys with one hash tag land on one slot, so a multi-key script may touch them all.
 */
export function hashTagOf(key: string): string | undefined {
  const open = key.indexOf('{');
  if (open < 0) return undefined;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : undefined;
}

/** CRC16-CCITT (XMODEM), the checksum Redis Cluster takes of a key. */
function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** The slot Redis Cluster stores a key in (`CLUSTER KEYSLOT`, which a standalone Redis does not answer). */
export function keySlotOf(key: string): number {
  return crc16(Buffer.from(hashTagOf(key) ?? key, 'utf8')) % SLOTS;
}
