import { type ActionCommand, type FakeAction } from '../cloud-resources.js';
import { type Reply } from '../fake-cloud-server.js';

/** DigitalOcean's error `id` for each status. */
const IDS: Readonly<Record<number, string>> = {
  400: 'bad_request',
  404: 'not_found',
  409: 'conflict',
  422: 'unprocessable_entity',
  429: 'too_many_requests',
  500: 'server_error',
  503: 'service_unavailable',
};

/** `{"id", "message", "request_id"}`. */
export function digitaloceanError(status: number, code: string, message: string): Reply {
  return {
    status,
    body: {
      id: status === 401 ? 'unauthorized' : (IDS[status] ?? code),
      message,
      request_id: crypto.randomUUID(),
    },
  };
}

export const unprocessable = (message: string) => digitaloceanError(422, 'unprocessable_entity', message);
export const notFound = () =>
  digitaloceanError(404, 'not_found', 'The resource you were accessing could not be found.');
export const pendingEvent = () => unprocessable('Droplet already has a pending event.');

/**
 * `page`/`per_page` (20 by default, at most 200), `links.pages` (first, prev, next, last) keeping the other
 * query parameters, and `meta.total`.
 */
export function paginated<T>(
  key: string,
  items: readonly T[],
  request: { readonly path: string; readonly query: URLSearchParams },
  baseUrl: string,
  shape: (item: T) => unknown,
): Reply {
  const page = Number(request.query.get('page') ?? 1);
  const perPage = Number(request.query.get('per_page') ?? 20);
  if (!Number.isInteger(page) || page < 1 || !Number.isInteger(perPage) || perPage < 1)
    return digitaloceanError(400, 'bad_request', 'page and per_page must be positive integers');
  const size = Math.min(200, perPage);
  const last = Math.max(1, Math.ceil(items.length / size));
  const pageUrl = (number: number) => {
    const query = new URLSearchParams(request.query);
    query.set('page', String(number));
    query.set('per_page', String(size));
    return `${baseUrl}${request.path}?${query.toString()}`;
  };
  const pages = {
    ...(page > 1 ? { first: pageUrl(1), prev: pageUrl(page - 1) } : {}),
    ...(page < last ? { next: pageUrl(page + 1), last: pageUrl(last) } : {}),
  };
  return {
    status: 200,
    body: {
      [key]: items.slice((page - 1) * size, page * size).map(shape),
      links: Object.keys(pages).length > 0 ? { pages } : {},
      meta: { total: items.length },
    },
  };
}

const TYPES: Readonly<Record<ActionCommand, string>> = {
  create_server: 'create',
  delete_server: 'destroy',
  power_on: 'power_on',
  power_off: 'power_off',
  shutdown: 'shutdown',
  resize: 'resize',
  create_volume: 'create',
  attach_volume: 'attach_volume',
  detach_volume: 'detach_volume',
  apply_firewall: 'apply_firewall',
  create_records: 'create',
  set_records: 'update',
  delete_records: 'destroy',
};

export function toAction(action: FakeAction) {
  const onVolume = action.resources[0]?.type === 'volume';
  return {
    id: action.id,
    status:
      action.status === 'running' ? 'in-progress' : action.status === 'success' ? 'completed' : 'errored',
    type: TYPES[action.command],
    started_at: action.started,
    completed_at: action.finished,
    // DigitalOcean's volume actions name no resource id: volume ids are UUIDs, resource_id an integer.
    resource_id: onVolume ? null : action.resourceId,
    resource_type: onVolume ? 'volume' : 'droplet',
    region: action.region === null ? null : { slug: action.region, name: action.region },
    region_slug: action.region,
  };
}

/** DigitalOcean names volumes and firewalls by UUID. */
export function byUuid<T extends { readonly uuid: string }>(
  items: Map<number, T>,
  uuid: string | undefined,
): T | undefined {
  return [...items.values()].find((item) => item.uuid === uuid);
}
