import { createServer, type IncomingHttpHeaders } from 'node:http';
import { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { askHealth, isPublicHostname } from './app-health.js';

describe('which domains are asked for health', () => {
  it('only public DNS names', () => {
    for (const domain of ['wiki.example.org', 'a.b.demo.onecommons.test', 'x-1.example.com'])
      expect(isPublicHostname(domain)).toBe(true);
    for (const domain of [
      'localhost',
      'db.internal',
      'printer.local',
      '127.0.0.1',
      '10.0.0.1',
      'single',
      '[::1]',
      'a..b.org',
      'UPPER.example.org',
    ])
      expect(isPublicHostname(domain)).toBe(false);
  });
});

describe('asking an app whether it answers', () => {
  let seen: IncomingHttpHeaders | undefined;
  let seenPath: string | undefined;
  const server = createServer((request, response) => {
    seen = request.headers;
    seenPath = request.url;
    if (request.url === '/slow') return void setTimeout(() => response.end('late'), 500);
    response.writeHead(request.url === '/healthz' ? 200 : request.url === '/moved' ? 302 : 503).end();
  });
  let origin: URL;

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('asks for the domain (Host) at the path, and counts 2xx only', async () => {
    expect(await askHealth('wiki.example.org', '/healthz', { connectTo: origin, timeoutMs: 1_000 })).toEqual({
      answering: true,
      detail: 'HTTP 200',
    });
    expect(seen?.host).toBe('wiki.example.org');
    expect(seenPath).toBe('/healthz');
    expect(await askHealth('wiki.example.org', '/moved', { connectTo: origin, timeoutMs: 1_000 })).toEqual({
      answering: false,
      detail: 'HTTP 302',
    });
    expect(
      (await askHealth('wiki.example.org', '/down', { connectTo: origin, timeoutMs: 1_000 })).answering,
    ).toBe(false);
  });

  it('gives up after the timeout, and on a refused connection', async () => {
    expect(await askHealth('wiki.example.org', '/slow', { connectTo: origin, timeoutMs: 100 })).toEqual({
      answering: false,
      detail: 'no answer within 100 ms',
    });
    const closed = new URL('http://127.0.0.1:9');
    expect(
      (await askHealth('wiki.example.org', '/healthz', { connectTo: closed, timeoutMs: 1_000 })).answering,
    ).toBe(false);
  });
});
