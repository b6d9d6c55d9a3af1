import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type FakeServer, type FakeVolume } from './cloud-resources.js';
import { CloudState } from './cloud-state.js';
import { RateWindow } from './rate-window.js';
import { type AppState, appStateOf } from './simulated-app.js';

/** A response a dialect gives: status, JSON body (none for 204), extra headers. */
export interface Reply {
  readonly status: number;
  readonly body?: unknown;
}

export interface ParsedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: unknown;
}

/** How one provider's API looks on the wire: its routes, error bodies and header names. */
export interface Dialect {
  readonly name: string;
  readonly rateHeaders: { readonly limit: string; readonly remaining: string; readonly reset: string };
  /** `baseUrl`: where this fake answers, for links in answers. */
  route(request: ParsedRequest, state: CloudState, baseUrl: string): Reply;
  error(status: number, code: string, message: string): Reply;
  /** The device path an attached volume has on its server, as the provider names it. */
  volumeDevice(volume: FakeVolume): string;
}

export interface FakeCloudOptions {
  /** The one API token accepted (`Authorization: Bearer <token>`). */
  readonly token: string;
  readonly host?: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** How long every action runs before it succeeds (or errors). */
  readonly actionDurationMs?: number;
  /** Requests per window before 429, and the window. */
  readonly rateLimit?: { readonly limit: number; readonly windowMs: number };
  readonly now?: () => number;
  /** How long after a server becomes running its app answers (500 ms by default). */
  readonly appStartMs?: number;
  /** The DNS zones the account owner made beforehand (default: example.org, demo.onecommons.test). */
  readonly dnsZones?: readonly string[];
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly at: number;
  /** The rate-limit headers sent with the answer. */
  readonly remaining: number;
  readonly reset: number;
}

/** Which requests a fault applies to; omitted: every API request. */
export interface RequestFilter {
  readonly method?: string;
  /** The request's path exactly, e.g. `/v1/servers`. */
  readonly path?: string;
}

/** Test controls: what the next requests and actions should suffer. */
export interface FaultControls {
  /** The next N API requests get a 500; with `afterApplying`, the request is carried out first. */
  failNext(count: number, options?: { afterApplying?: boolean; status?: number } & RequestFilter): void;
  /** The next N API requests are carried out, then answered only after `ms` (past a client's timeout). */
  delayNext(count: number, ms: number, filter?: RequestFilter): void;
  /** The next N actions end in `error`. */
  errorNextActions(count: number): void;
  /** Spends the rest of the current rate window: requests get 429 until its reset. */
  spendRateBudget(): void;
  /** Servers running this `image:version` never get their app up (a release that crashes on start). */
  failApp(imageRef: string): void;
}

export interface FakeCloud {
  readonly url: string;
  readonly state: CloudState;
  readonly faults: FaultControls;
  readonly requests: readonly RecordedRequest[];
  /** Whether the app a server's user data describes runs now, and if not, why. */
  appState(server: FakeServer): AppState;
  close(): Promise<void>;
}

interface Faults {
  fail: { count: number; afterApplying: boolean; status: number } & RequestFilter;
  delay: { count: number; ms: number } & RequestFilter;
}

const applies = (fault: { count: number } & RequestFilter, method: string, path: string) =>
  fault.count > 0 &&
  (fault.method === undefined || fault.method === method) &&
  (fault.path === undefined || fault.path === path);

/** Starts one fake cloud API on a local port; the dialect decides what it looks like. */
export async function startFakeCloud(dialect: Dialect, options: FakeCloudOptions): Promise<FakeCloud> {
  const now = options.now ?? Date.now;
  const state = new CloudState(now, options.actionDurationMs ?? 1_000, options.dnsZones);
  const rate = new RateWindow(
    now,
    options.rateLimit?.limit ?? 3_600,
    options.rateLimit?.windowMs ?? 3_600_000,
  );
  const faults: Faults = {
    fail: { count: 0, afterApplying: false, status: 500 },
    delay: { count: 0, ms: 0 },
  };
  const requests: RecordedRequest[] = [];
  const failingImages = new Set<string>();
  const appHost = {
    state,
    appStartMs: options.appStartMs ?? 500,
    failingImages,
    volumeDevice: dialect.volumeDevice,
  };
  const appState = (server: FakeServer) => appStateOf(server, appHost);
  const controls: FaultControls = {
    failNext: (count, { afterApplying = false, status = 500, ...filter } = {}) =>
      (faults.fail = { count, afterApplying, status, ...filter }),
    delayNext: (count, ms, filter = {}) => (faults.delay = { count, ms, ...filter }),
    errorNextActions: (count) => (state.erroringActions = count),
    spendRateBudget: () => rate.spend(),
    failApp: (imageRef) => failingImages.add(imageRef),
  };

  const send = (response: ServerResponse, reply: Reply) => {
    const headers = rate.headers();
    response.setHeader(dialect.rateHeaders.limit, headers.limit);
    response.setHeader(dialect.rateHeaders.remaining, headers.remaining);
    response.setHeader(dialect.rateHeaders.reset, headers.reset);
    if (reply.body === undefined) {
      response.writeHead(reply.status).end();
      return;
    }
    response.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.body));
  };

  let baseUrl = '';
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://fake-cloud.local');
    const raw = await readBody(request);
    if (url.pathname.startsWith('/_fake/'))
      return control(request.method ?? 'GET', url.pathname, raw, response);
    const record = (status: number) => {
      const headers = rate.headers();
      requests.push({
        method: request.method ?? 'GET',
        path: url.pathname,
        status,
        at: now(),
        remaining: Number(headers.remaining),
        reset: Number(headers.reset),
      });
    };
    if (request.headers.authorization !== `Bearer ${options.token}`) {
      record(401);
      return send(response, dialect.error(401, 'unauthorized', 'Unable to authenticate you.'));
    }
    if (!rate.take()) {
      record(429);
      return send(response, dialect.error(429, 'rate_limit_exceeded', 'API rate limit exceeded.'));
    }
    const method = request.method ?? 'GET';
    if (applies(faults.fail, method, url.pathname) && !faults.fail.afterApplying) {
      faults.fail.count--;
      record(faults.fail.status);
      return send(response, dialect.error(faults.fail.status, 'server_error', 'Injected failure.'));
    }
    let body: unknown;
    try {
      body = raw === '' ? undefined : JSON.parse(raw);
    } catch {
      record(400);
      return send(response, dialect.error(400, 'json_error', 'Invalid JSON.'));
    }
    state.settle();
    let reply = dialect.route({ method, path: url.pathname, query: url.searchParams, body }, state, baseUrl);
    if (applies(faults.fail, method, url.pathname)) {
      faults.fail.count--;
      reply = dialect.error(
        faults.fail.status,
        'server_error',
        'Injected failure after the request was carried out.',
      );
    }
    // Recorded when carried out: a delayed answer may never reach a client that gave up.
    record(reply.status);
    if (applies(faults.delay, method, url.pathname)) {
      faults.delay.count--;
      await new Promise((resolve) => setTimeout(resolve, faults.delay.ms));
      if (response.destroyed || request.socket.destroyed) return;
    }
    send(response, reply);
  };

  const control = (method: string, path: string, raw: string, response: ServerResponse) => {
    const json = (status: number, body: unknown) =>
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (method === 'GET' && path === '/_fake/health') return json(200, { ok: true, api: dialect.name });
    if (method === 'GET' && path === '/_fake/servers') {
      state.settle();
      return json(200, {
        servers: [...state.servers.values()].map((server) => ({
          ...server,
          volumes: state.volumesOf(server).map((volume) => ({
            id: volume.id,
            uuid: volume.uuid,
            name: volume.name,
            device: dialect.volumeDevice(volume),
          })),
          firewalls: state.firewallsOf(server).map((firewall) => firewall.id),
          app: appState(server),
        })),
      });
    }
    if (method === 'GET' && path === '/_fake/requests') return json(200, { requests });
    if (method === 'POST' && path === '/_fake/faults') {
      const input = (raw ? JSON.parse(raw) : {}) as Record<string, number | boolean | string | undefined>;
      const filter = {
        ...(typeof input['method'] === 'string' ? { method: input['method'] } : {}),
        ...(typeof input['path'] === 'string' ? { path: input['path'] } : {}),
      };
      if (typeof input['failNext'] === 'number')
        controls.failNext(input['failNext'], { afterApplying: input['afterApplying'] === true, ...filter });
      if (typeof input['delayNext'] === 'number')
        controls.delayNext(input['delayNext'], Number(input['delayMs'] ?? 30_000), filter);
      if (typeof input['errorNextActions'] === 'number') controls.errorNextActions(input['errorNextActions']);
      if (input['spendRateBudget'] === true) controls.spendRateBudget();
      if (typeof input['failApp'] === 'string') controls.failApp(input['failApp']);
      return json(200, { ok: true });
    }
    return json(404, { error: 'no such control' });
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) send(response, dialect.error(500, 'server_error', String(error)));
    });
  });
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://${options.host ?? '127.0.0.1'}:${port}`;
  return {
    url: baseUrl,
    state,
    faults: controls,
    requests,
    appState,
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
