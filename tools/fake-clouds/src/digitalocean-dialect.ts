import { type CloudState, type FakeAction, type FakeServer } from './cloud-state.js';
import {
  type Dialect,
  type FakeCloud,
  type FakeCloudOptions,
  type ParsedRequest,
  type Reply,
  startFakeCloud,
} from './fake-cloud-server.js';

const SIZES: Record<string, { vcpus: number; memory: number; disk: number }> = {
  's-1vcpu-1gb': { vcpus: 1, memory: 1_024, disk: 25 },
  's-1vcpu-2gb': { vcpus: 1, memory: 2_048, disk: 50 },
  's-2vcpu-4gb': { vcpus: 2, memory: 4_096, disk: 80 },
  's-4vcpu-8gb': { vcpus: 4, memory: 8_192, disk: 160 },
};
const REGIONS = ['ams3', 'fra1', 'lon1', 'nyc3', 'sfo3', 'sgp1', 'tor1'];
const TAG = /^[a-zA-Z0-9_:-]{1,255}$/;
const IDS: Record<number, string> = {
  400: 'bad_request',
  404: 'not_found',
  422: 'unprocessable_entity',
  429: 'too_many_requests',
  500: 'server_error',
  503: 'service_unavailable',
};

function error(status: number, code: string, message: string): Reply {
  return {
    status,
    body: {
      id: status === 401 ? 'unauthorized' : (IDS[status] ?? code),
      message,
      request_id: crypto.randomUUID(),
    },
  };
}

/** DigitalOcean's droplet statuses: new, active, off, archive. */
const STATUS: Record<FakeServer['status'], string> = {
  initializing: 'new',
  running: 'active',
  off: 'off',
  deleting: 'archive',
};

function toDroplet(server: FakeServer) {
  const size = SIZES[server.size] ?? { vcpus: 1, memory: 1_024, disk: 25 };
  return {
    id: server.id,
    name: server.name,
    memory: size.memory,
    vcpus: size.vcpus,
    disk: size.disk,
    locked: server.busyWith !== null,
    status: STATUS[server.status],
    created_at: server.created,
    size_slug: server.size,
    region: { slug: server.region, name: server.region },
    image: { slug: server.image },
    tags: server.tags,
    networks: { v4: [{ ip_address: `203.0.113.${server.id % 250}`, type: 'public' }] },
  };
}

function toAction(action: FakeAction) {
  return {
    id: action.id,
    status:
      action.status === 'running' ? 'in-progress' : action.status === 'success' ? 'completed' : 'errored',
    type: action.command === 'create_server' ? 'create' : 'destroy',
    started_at: action.started,
    completed_at: action.finished,
    resource_id: action.resourceId,
    resource_type: 'droplet',
    region_slug: null,
  };
}

function route(request: ParsedRequest, state: CloudState, base: string): Reply {
  const { method, path, query } = request;
  if (method === 'GET' && path === '/v2/droplets') {
    const tag = query.get('tag_name');
    const name = query.get('name');
    const matching = [...state.servers.values()].filter(
      (server) => (tag === null || server.tags.includes(tag)) && (name === null || server.name === name),
    );
    const perPage = Math.min(200, Math.max(1, Number(query.get('per_page') ?? 20)));
    const page = Math.max(1, Number(query.get('page') ?? 1));
    const hasNext = page * perPage < matching.length;
    return {
      status: 200,
      body: {
        droplets: matching.slice((page - 1) * perPage, page * perPage).map(toDroplet),
        links: hasNext ? { pages: { next: `${base}/v2/droplets?page=${page + 1}&per_page=${perPage}` } } : {},
        meta: { total: matching.length },
      },
    };
  }
  if (method === 'POST' && path === '/v2/droplets') {
    const body = (request.body ?? {}) as {
      name?: unknown;
      region?: unknown;
      size?: unknown;
      image?: unknown;
      tags?: unknown;
    };
    if (typeof body.name !== 'string' || !/^[a-zA-Z0-9.-]{1,255}$/.test(body.name))
      return error(422, 'unprocessable_entity', 'Name is invalid.');
    if (typeof body.size !== 'string' || !(body.size in SIZES))
      return error(422, 'unprocessable_entity', 'You specified an invalid size for Droplet creation.');
    if (typeof body.region !== 'string' || !REGIONS.includes(body.region))
      return error(422, 'unprocessable_entity', 'You specified an invalid region for Droplet creation.');
    if (typeof body.image !== 'string' || body.image === '')
      return error(422, 'unprocessable_entity', 'You specified an invalid image for Droplet creation.');
    const tags = Array.isArray(body.tags) ? (body.tags as unknown[]) : [];
    if (!tags.every((tag): tag is string => typeof tag === 'string' && TAG.test(tag)))
      return error(
        422,
        'unprocessable_entity',
        'Tag names may only contain letters, numbers, colons, dashes and underscores.',
      );
    const { server, action } = state.createServer({
      name: body.name,
      labels: {},
      tags,
      size: body.size,
      region: body.region,
      image: body.image,
    });
    return {
      status: 202,
      body: {
        droplet: toDroplet(server),
        links: { actions: [{ id: action.id, rel: 'create', href: `${base}/v2/actions/${action.id}` }] },
      },
    };
  }
  const dropletPath = /^\/v2\/droplets\/(\d+)$/.exec(path);
  if (dropletPath) {
    const server = state.servers.get(Number(dropletPath[1]));
    if (!server) return error(404, 'not_found', 'The resource you were accessing could not be found.');
    if (method === 'GET') return { status: 200, body: { droplet: toDroplet(server) } };
    if (method === 'DELETE') {
      if (server.busyWith !== null)
        return error(422, 'unprocessable_entity', 'Droplet already has a pending event.');
      state.deleteServer(server);
      return { status: 204 };
    }
  }
  const actionPath = /^\/v2\/actions\/(\d+)$/.exec(path);
  if (method === 'GET' && actionPath) {
    const action = state.actions.get(Number(actionPath[1]));
    return action
      ? { status: 200, body: { action: toAction(action) } }
      : error(404, 'not_found', 'The resource you were accessing could not be found.');
  }
  return error(404, 'not_found', 'The resource you were accessing could not be found.');
}

function dialectAt(base: () => string): Dialect {
  return {
    name: 'digitalocean',
    rateHeaders: { limit: 'ratelimit-limit', remaining: 'ratelimit-remaining', reset: 'ratelimit-reset' },
    route: (request, state) => route(request, state, base()),
    error,
  };
}

/** The fake DigitalOcean API; its base URL (what a provider account names) is `url` itself. */
export async function startFakeDigitalOcean(options: FakeCloudOptions): Promise<FakeCloud> {
  let url = '';
  const fake = await startFakeCloud(
    dialectAt(() => url),
    options,
  );
  url = fake.url;
  return fake;
}
