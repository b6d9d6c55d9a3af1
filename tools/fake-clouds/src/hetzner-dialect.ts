import { type CloudState, type FakeAction, type FakeServer } from './cloud-state.js';
import {
  type Dialect,
  type ParsedRequest,
  type Reply,
  startFakeCloud,
  type FakeCloud,
  type FakeCloudOptions,
} from './fake-cloud-server.js';

/** Server types the fake knows, with what Hetzner reports for them. */
const SERVER_TYPES: Record<string, { cores: number; memory: number; disk: number }> = {
  cx22: { cores: 2, memory: 4, disk: 40 },
  cx32: { cores: 4, memory: 8, disk: 80 },
  cx42: { cores: 8, memory: 16, disk: 160 },
  cpx11: { cores: 2, memory: 2, disk: 40 },
  cpx21: { cores: 3, memory: 4, disk: 80 },
};
const LOCATIONS = ['fsn1', 'nbg1', 'hel1', 'ash', 'hil', 'sin'];
const HOSTNAME = /^(?=.{1,63}$)[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/;

const STATUS: Record<number, string> = {
  400: 'invalid_input',
  404: 'not_found',
  409: 'uniqueness_error',
  423: 'locked',
  429: 'rate_limit_exceeded',
  500: 'server_error',
  503: 'unavailable',
};

function error(status: number, code: string, message: string): Reply {
  const known =
    status === 401
      ? 'unauthorized'
      : status === 400 && code === 'json_error'
        ? 'json_error'
        : (STATUS[status] ?? code);
  return { status, body: { error: { code: known, message, details: {} } } };
}

function toServer(server: FakeServer) {
  const type = SERVER_TYPES[server.size] ?? { cores: 1, memory: 1, disk: 10 };
  return {
    id: server.id,
    name: server.name,
    status: server.status,
    created: server.created,
    labels: server.labels,
    locked: server.busyWith !== null,
    server_type: { name: server.size, cores: type.cores, memory: type.memory, disk: type.disk },
    datacenter: { name: `${server.region}-dc14`, location: { name: server.region } },
    image: { name: server.image, type: 'system' },
    public_net: { ipv4: { ip: `198.51.100.${server.id % 250}` } },
  };
}

function toAction(action: FakeAction) {
  return {
    id: action.id,
    command: action.command,
    status: action.status,
    progress: action.status === 'running' ? 50 : 100,
    started: action.started,
    finished: action.finished,
    resources: [{ id: action.resourceId, type: 'server' }],
    error: action.status === 'error' ? { code: 'action_failed', message: 'Action failed' } : null,
  };
}

/** `k==v`, `k=v`, `k!=v`, `k`, `!k`, comma-separated: Hetzner's label selector. */
export function matchesSelector(labels: Readonly<Record<string, string>>, selector: string): boolean {
  return selector
    .split(',')
    .map((term) => term.trim())
    .filter((term) => term !== '')
    .every((term) => {
      const unequal = /^([^!=]+)!=(.*)$/.exec(term);
      if (unequal) return labels[unequal[1] as string] !== unequal[2];
      const equal = /^([^!=]+)==?(.*)$/.exec(term);
      if (equal) return labels[equal[1] as string] === equal[2];
      if (term.startsWith('!')) return !(term.slice(1) in labels);
      return term in labels;
    });
}

function route(request: ParsedRequest, state: CloudState): Reply {
  const { method, path, query } = request;
  if (method === 'GET' && path === '/v1/servers') {
    const selector = query.get('label_selector') ?? '';
    const name = query.get('name');
    const matching = [...state.servers.values()].filter(
      (server) => matchesSelector(server.labels, selector) && (name === null || server.name === name),
    );
    const perPage = Math.min(50, Math.max(1, Number(query.get('per_page') ?? 25)));
    const page = Math.max(1, Number(query.get('page') ?? 1));
    const last = Math.max(1, Math.ceil(matching.length / perPage));
    return {
      status: 200,
      body: {
        servers: matching.slice((page - 1) * perPage, page * perPage).map(toServer),
        meta: {
          pagination: {
            page,
            per_page: perPage,
            previous_page: page > 1 ? page - 1 : null,
            next_page: page < last ? page + 1 : null,
            last_page: last,
            total_entries: matching.length,
          },
        },
      },
    };
  }
  if (method === 'POST' && path === '/v1/servers') {
    const body = (request.body ?? {}) as {
      name?: unknown;
      server_type?: unknown;
      image?: unknown;
      location?: unknown;
      labels?: unknown;
    };
    if (typeof body.name !== 'string' || !HOSTNAME.test(body.name))
      return error(400, 'invalid_input', 'invalid input in field name');
    if (typeof body.server_type !== 'string' || !(body.server_type in SERVER_TYPES))
      return error(400, 'invalid_input', 'server_type not found');
    if (typeof body.image !== 'string' || body.image === '')
      return error(400, 'invalid_input', 'image not found');
    if (
      body.location !== undefined &&
      (typeof body.location !== 'string' || !LOCATIONS.includes(body.location))
    )
      return error(400, 'invalid_input', 'location not found');
    if ([...state.servers.values()].some((server) => server.name === body.name))
      return error(409, 'uniqueness_error', 'server name is already used');
    const labels = (typeof body.labels === 'object' && body.labels !== null ? body.labels : {}) as Record<
      string,
      string
    >;
    const { server, action } = state.createServer({
      name: body.name,
      labels,
      tags: [],
      size: body.server_type,
      region: typeof body.location === 'string' ? body.location : 'fsn1',
      image: body.image,
    });
    return {
      status: 201,
      body: { server: toServer(server), action: toAction(action), next_actions: [], root_password: null },
    };
  }
  const serverPath = /^\/v1\/servers\/(\d+)$/.exec(path);
  if (serverPath) {
    const server = state.servers.get(Number(serverPath[1]));
    if (!server) return error(404, 'not_found', 'server not found');
    if (method === 'GET') return { status: 200, body: { server: toServer(server) } };
    if (method === 'DELETE') {
      if (server.busyWith !== null) return error(423, 'locked', 'server is locked by a running action');
      return { status: 200, body: { action: toAction(state.deleteServer(server)) } };
    }
  }
  const actionPath = /^\/v1\/actions\/(\d+)$/.exec(path);
  if (method === 'GET' && actionPath) {
    const action = state.actions.get(Number(actionPath[1]));
    return action
      ? { status: 200, body: { action: toAction(action) } }
      : error(404, 'not_found', 'action not found');
  }
  return error(404, 'not_found', `no route ${method} ${path}`);
}

export const hetznerDialect: Dialect = {
  name: 'hetzner',
  rateHeaders: { limit: 'RateLimit-Limit', remaining: 'RateLimit-Remaining', reset: 'RateLimit-Reset' },
  route,
  error,
};

/** The fake Hetzner Cloud API; its base URL (what a provider account names) is `${url}/v1`. */
export function startFakeHetzner(options: FakeCloudOptions): Promise<FakeCloud> {
  return startFakeCloud(hetznerDialect, options);
}
