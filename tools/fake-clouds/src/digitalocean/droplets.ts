import { type FakeServer, type FakeVolume } from '../cloud-resources.js';
import { type CloudState } from '../cloud-state.js';
import { type Reply } from '../fake-cloud-server.js';
import { isStringArray, objectBody, utf8Bytes } from '../json-fields.js';
import { type Route, type RouteContext } from '../routes.js';
import { REGIONS, SIZES, TAG } from './catalog.js';
import { byUuid, notFound, paginated, pendingEvent, unprocessable } from './replies.js';

/** DigitalOcean limits user data to 64 KiB. */
const USER_DATA_MAX_BYTES = 64 * 1_024;

/** DigitalOcean's droplet statuses: new, active, off, archive. */
const STATUS: Record<FakeServer['status'], string> = {
  initializing: 'new',
  running: 'active',
  off: 'off',
  deleting: 'archive',
};

export function toDroplet(server: FakeServer, state: CloudState) {
  const size = SIZES[server.size] ?? { vcpus: 1, memory: 1_024, disk: 25 };
  // A new droplet has no address yet; DigitalOcean lists its networks once it is active.
  const v4 =
    server.status === 'initializing'
      ? []
      : [{ ip_address: server.publicIpv4, netmask: '255.192.0.0', gateway: '100.64.0.1', type: 'public' }];
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
    volume_ids: state.volumesOf(server).map((volume) => volume.uuid),
    networks: { v4, v6: [] },
  };
}

function createDroplet({ request, state, baseUrl }: RouteContext): Reply {
  const body = objectBody(request.body);
  const { name, region, size, image, user_data: userData } = body;
  if (typeof name !== 'string' || !/^[a-zA-Z0-9.-]{1,255}$/.test(name))
    return unprocessable('Name is invalid.');
  if (typeof size !== 'string' || !(size in SIZES))
    return unprocessable('You specified an invalid size for Droplet creation.');
  if (typeof region !== 'string' || !REGIONS.includes(region))
    return unprocessable('You specified an invalid region for Droplet creation.');
  if (typeof image !== 'string' || image === '')
    return unprocessable('You specified an invalid image for Droplet creation.');
  const tags = body['tags'] ?? [];
  if (!isStringArray(tags) || !tags.every((tag) => TAG.test(tag)))
    return unprocessable('Tag names may only contain letters, numbers, colons, dashes and underscores.');
  if (userData !== undefined && typeof userData !== 'string')
    return unprocessable('user_data must be a string.');
  if (typeof userData === 'string' && utf8Bytes(userData) > USER_DATA_MAX_BYTES)
    return unprocessable('user_data is too long: 64 KiB at most.');
  const volumes = volumesToAttach(body['volumes'], region, state);
  if (!Array.isArray(volumes)) return volumes;
  const { server, action } = state.createServer(
    { name, labels: {}, tags, size, region, image, userData: userData ?? null },
    { volumes },
  );
  return {
    status: 202,
    body: {
      droplet: toDroplet(server, state),
      links: { actions: [{ id: action.id, rel: 'create', href: `${baseUrl}/v2/actions/${action.id}` }] },
    },
  };
}

/** `volumes: [volume id, …]`: each must exist in the droplet's region and be free. */
function volumesToAttach(raw: unknown, region: string, state: CloudState): FakeVolume[] | Reply {
  if (raw === undefined) return [];
  if (!isStringArray(raw)) return unprocessable('volumes must list volume ids.');
  const volumes: FakeVolume[] = [];
  for (const id of raw) {
    const volume = byUuid(state.volumes, id);
    if (!volume) return unprocessable(`Volume ${id} could not be found.`);
    if (volume.region !== region)
      return unprocessable(`Volume ${id} is in ${volume.region}, not in ${region}.`);
    if (volume.busyWith !== null) return pendingEvent();
    if (volume.serverId !== null) return unprocessable(`Volume ${id} is already attached to a Droplet.`);
    volumes.push(volume);
  }
  return volumes;
}

function deleteDroplet({ state, params }: RouteContext): Reply {
  const server = state.servers.get(Number(params[0]));
  if (!server) return notFound();
  if (server.busyWith !== null) return pendingEvent();
  state.deleteServer(server);
  return { status: 204 };
}

export const dropletRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: /^\/v2\/droplets$/,
    handle: ({ request, state, baseUrl }) => {
      const tag = request.query.get('tag_name');
      const name = request.query.get('name');
      const matching = [...state.servers.values()].filter(
        (server) => (tag === null || server.tags.includes(tag)) && (name === null || server.name === name),
      );
      return paginated('droplets', matching, request, baseUrl, (server) => toDroplet(server, state));
    },
  },
  { method: 'POST', path: /^\/v2\/droplets$/, handle: createDroplet },
  {
    method: 'GET',
    path: /^\/v2\/droplets\/(\d+)$/,
    handle: ({ state, params }) => {
      const server = state.servers.get(Number(params[0]));
      return server ? { status: 200, body: { droplet: toDroplet(server, state) } } : notFound();
    },
  },
  { method: 'DELETE', path: /^\/v2\/droplets\/(\d+)$/, handle: deleteDroplet },
];
