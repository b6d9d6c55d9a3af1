import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { expect } from '@jest/globals';

/**
 * Each suite talks to the gateway from a loopback address of its own. The gateway names the client by its
 * peer address (it overwrites X-Forwarded-For) and limits each client, and so do the services behind it:
 * with one address per suite, no suite spends another's rate-limit budget, and the limits stay as they
 * are. Linux accepts any 127.0.0.0/8 source on the loopback interface. 127.0.0.1 is left to the `commons`
 * CLI the suites run.
 */
export function loopbackAddressOf(label: string): string {
  const [a = 0, b = 0, c = 0] = createHash('sha256').update(label).digest();
  return `127.${1 + (a % 254)}.${b}.${1 + (c % 254)}`;
}

/** This test file's address (Jest loads this module once per test file). */
export const SUITE_ADDRESS = loopbackAddressOf(expect.getState().testPath ?? 'e2e');

/** A fresh address of this suite's own, for a test that must be a client nobody else has been. */
export function freshLoopbackAddress(label: string): string {
  return loopbackAddressOf(`${expect.getState().testPath ?? 'e2e'}:${label}:${Math.random()}`);
}

type FetchInit = Pick<RequestInit, 'method' | 'headers' | 'body'> & { readonly localAddress?: string };

/**
 * `fetch` from this suite's address (or `init.localAddress`), over node:http (the built-in fetch cannot
 * choose its source address). Sends the path exactly as given, dot segments and all. Answers a `Response`.
 */
export function suiteFetch(url: string, init: FetchInit = {}): Promise<Response> {
  const target = new URL(url);
  const headers = Object.fromEntries(new Headers(init.headers).entries());
  const body = init.body === undefined || init.body === null ? undefined : String(init.body);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        // The raw path: new URL() would already have resolved `..` and merged nothing else.
        path: rawPathOf(url),
        method: init.method ?? 'GET',
        headers: { ...headers, ...(body === undefined ? {} : { 'content-length': Buffer.byteLength(body) }) },
        localAddress: init.localAddress ?? SUITE_ADDRESS,
        agent: false,
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('error', reject);
        incoming.on('end', () => {
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(incoming.headers)) {
            for (const one of Array.isArray(value) ? value : [value ?? '']) responseHeaders.append(name, one);
          }
          const status = incoming.statusCode ?? 500;
          const content = status === 204 || status === 304 ? null : Buffer.concat(chunks);
          resolve(new Response(content, { status, headers: responseHeaders }));
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** The path and query of `url` as written (`http://host:port/a/../b?x` → `/a/../b?x`). */
function rawPathOf(url: string): string {
  const afterScheme = url.indexOf('//') + 2;
  const slash = url.indexOf('/', afterScheme);
  return slash === -1 ? '/' : url.slice(slash);
}
