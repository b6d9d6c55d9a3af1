/**
 * Where provider accounts may point. The provisioner sends an account's API token to its base URL, so the
 * base URL must be one of the configured API addresses: the same scheme, host and port (the origin, as the
 * WHATWG URL parser that `fetch` uses reads it) and the same path. Compared as parsed URLs, never as
 * strings: a prefix test lets `https://api.hetzner.cloud.evil.example` and `https://api.hetzner.cloud@evil`
 * through. A URL with user info, a query or a fragment is never a base URL.
 */

/** An allowed API address, parsed once at boot. */
export interface AllowedApiBaseUrl {
  readonly origin: string;
  readonly path: string;
}

/** Why a string is not a base URL (undefined when it is one). */
function baseUrlProblem(url: URL): string | undefined {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'is not an http(s) URL';
  if (url.username !== '' || url.password !== '') return 'has user info';
  if (url.search !== '' || url.hash !== '') return 'has a query or a fragment';
  return undefined;
}

/** The path without trailing slashes: `/v1/` and `/v1` name one base, the root is ''. */
const basePathOf = (url: URL) => url.pathname.replace(/\/+$/, '');

/** Parses one configured entry; throws naming the problem (config validation reports it at boot). */
export function parseAllowedApiBaseUrl(entry: string): AllowedApiBaseUrl {
  const url = URL.parse(entry);
  if (!url) throw new Error(`${entry} is not a URL`);
  // `http://127.0.0.1:` parses with the default port: a prefix, not an address. Refused: a typo here
  // would widen the list.
  if (/:\/\/[^/]*:(\/|$)/.test(entry)) throw new Error(`${entry} has an empty port`);
  const problem = baseUrlProblem(url);
  if (problem) throw new Error(`${entry} ${problem}`);
  return { origin: url.origin, path: basePathOf(url) };
}

/**
 * The base URL to store and call when `candidate` is on the list, else undefined. What is stored is the
 * parsed form (origin and path), so the service calls exactly the address it checked.
 */
export function allowedBaseUrl(candidate: string, allowed: readonly AllowedApiBaseUrl[]): string | undefined {
  const url = URL.parse(candidate);
  if (!url || baseUrlProblem(url) !== undefined) return undefined;
  const path = basePathOf(url);
  const match = allowed.find((entry) => entry.origin === url.origin && entry.path === path);
  return match ? `${match.origin}${match.path}` : undefined;
}
