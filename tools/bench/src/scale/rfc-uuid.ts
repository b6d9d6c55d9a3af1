/**
 * The close bench's ids are md5 digests written as UUIDs (close-fixtures.ts `md5Uuid`), which carry no RFC 9562
 * version or variant, so an event contract's `z.uuid()` refuses them. In event payloads the bench writes them with
 * the version nibble set to 4 and the variant to RFC's: the same 36 characters, so the same bytes to store.
 */
export function asRfcUuid(id: string): string {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id))
    throw new Error(`not a lower-case UUID: ${id}`);
  const variant = ((parseInt(id.charAt(19), 16) & 0x3) | 0x8).toString(16);
  return `${id.slice(0, 14)}4${id.slice(15, 19)}${variant}${id.slice(20)}`;
}
