import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type AppManifest } from './app-manifest.js';
import { type FakeCloud } from './fake-cloud-server.js';

export interface FakeAppEdgeOptions {
  readonly host?: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  readonly clouds?: readonly FakeCloud[];
}

/** "The internet as seen through DNS": a request's Host is resolved in the clouds' DNS to a server's app. */
export interface FakeAppEdge {
  readonly url: string;
  attach(cloud: FakeCloud): void;
  close(): Promise<void>;
}

/** What answers at a public address: the app of the server that has it, or why none does. */
type Verdict =
  | { readonly address: string; readonly server: number; readonly manifest: AppManifest }
  | { readonly address: string; readonly server?: number; readonly reason: string; readonly detail: string };

/**
 * Answers as the app on the server a host name's A records point at would: 200 on its health path once it
 * runs, 502 when no A record names the host, 503 (with the reason) when no app answers there.
 */
export async function startFakeAppEdge(options: FakeAppEdgeOptions = {}): Promise<FakeAppEdge> {
  const clouds: FakeCloud[] = [...(options.clouds ?? [])];

  const verdictAt = (address: string, host: string): Verdict => {
    for (const cloud of clouds) {
      const server = cloud.state.serverWithIpv4(address);
      if (!server) continue;
      const app = cloud.appState(server);
      if (!app.running) return { address, server: server.id, reason: app.reason, detail: app.detail };
      // Its web server (Caddy) answers only for the domain in the manifest.
      if (app.manifest.domain !== host)
        return {
          address,
          server: server.id,
          reason: 'wrong_domain',
          detail: `the app serves ${app.manifest.domain}`,
        };
      return { address, server: server.id, manifest: app.manifest };
    }
    return { address, reason: 'no_server', detail: 'no server has this address' };
  };

  const answer = (request: IncomingMessage): { status: number; body: unknown } => {
    const host = hostOf(request.headers.host);
    for (const cloud of clouds) cloud.state.settle();
    const addresses = clouds.flatMap((cloud) => cloud.state.dns.ipv4sFor(host));
    if (addresses.length === 0) return { status: 502, body: { error: 'no_dns_record', host } };
    const verdicts = addresses.map((address) => verdictAt(address, host));
    const serving = verdicts.find((verdict) => 'manifest' in verdict);
    if (!serving || !('manifest' in serving))
      return { status: 503, body: { error: 'app_not_running', host, ...verdicts[0] } };
    const { manifest } = serving;
    const path = new URL(request.url ?? '/', 'http://edge.local').pathname;
    if (request.method === 'GET' && path === manifest.healthPath)
      return {
        status: 200,
        body: { status: 'ok', image: manifest.image, version: manifest.version, server: serving.server },
      };
    return { status: 404, body: { error: 'not_found', host, path } };
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    request.resume();
    const { status, body } = answer(request);
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    attach: (cloud) => void clouds.push(cloud),
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** The Host header's name, lower case, without a port or a trailing dot. */
function hostOf(header: string | undefined): string {
  return (header ?? '').replace(/:\d+$/, '').replace(/\.$/, '').toLowerCase();
}
