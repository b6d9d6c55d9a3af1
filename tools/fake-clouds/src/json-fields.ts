/** Reading the fields of a JSON request body, for the dialects' validation. */
export type JsonObject = Readonly<Record<string, unknown>>;

export function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The body as an object; anything else reads as `{}`, so every required field is then missing. */
export function objectBody(body: unknown): JsonObject {
  return isRecord(body) ? body : {};
}

export function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/** Labels: an object of string values (absent reads as none); null when malformed. */
export function labelsOf(value: unknown): Record<string, string> | null {
  if (value === undefined) return {};
  if (!isRecord(value) || !Object.values(value).every((item) => typeof item === 'string')) return null;
  return { ...(value as Record<string, string>) };
}

export function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

export function isIpv4(value: string): boolean {
  const parts = value.split('.');
  return parts.length === 4 && parts.every((part) => /^(0|[1-9]\d{0,2})$/.test(part) && Number(part) <= 255);
}

/** An IPv4 or IPv6 address, with or without a prefix length: what firewall rules accept. */
export function isAddressOrNetwork(value: string): boolean {
  const [address = '', prefix, ...rest] = value.split('/');
  if (rest.length > 0) return false;
  const ipv6 = address.includes(':');
  if (ipv6 ? !/^[0-9a-fA-F:.]+$/.test(address) : !isIpv4(address)) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (ipv6 ? 128 : 32));
}
