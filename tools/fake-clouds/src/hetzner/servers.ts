import { type FakeFirewall, type FakeServer, type FakeVolume } from '../cloud-resources.js';
import { type CloudState } from '../cloud-state.js';
import { type Reply } from '../fake-cloud-server.js';
import {
  isPositiveInteger,
  isRecord,
  labelsOf,
  objectBody,
  utf8Bytes,
  type JsonObject,
} from '../json-fields.js';
import { type Route, type RouteContext } from '../routes.js';
import { DEFAULT_LOCATION, LOCATIONS, SERVER_TYPES } from './catalog.js';
import { filtered, hetznerError, invalidInput, locked, notFound, paginated, toAction } from './replies.js';

const HOSTNAME = /^(?=.{1,63}$)[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/;
/** Hetzner limits cloud-init user data to 32 KiB. */
const USER_DATA_MAX_BYTES = 32 * 1_024;

export function toServer(server: FakeServer, state: CloudState) {
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
    public_net: {
      ipv4: {
        ip: server.publicIpv4,
        blocked: false,
        dns_ptr: `static.${server.publicIpv4}.clients.your-server.de`,
      },
      ipv6: null,
      floating_ips: [],
      firewalls: state.firewallsOf(server).map((firewall) => ({ id: firewall.id, status: 'applied' })),
    },
    volumes: state.volumesOf(server).map((volume) => volume.id),
    protection: { delete: false, rebuild: false },
  };
}

function createServer({ request, state }: RouteContext): Reply {
  const body = objectBody(request.body);
  const { name, server_type: serverType, image, location, user_data: userData } = body;
  if (typeof name !== 'string' || !HOSTNAME.test(name)) return invalidInput('invalid input in field name');
  if (typeof serverType !== 'string' || !(serverType in SERVER_TYPES))
    return invalidInput('server_type not found');
  if (typeof image !== 'string' || image === '') return invalidInput('image not found');
  if (location !== undefined && (typeof location !== 'string' || !LOCATIONS.includes(location)))
    return invalidInput('location not found');
  const labels = labelsOf(body['labels']);
  if (!labels) return invalidInput("invalid input in field 'labels'");
  if (userData !== undefined && typeof userData !== 'string')
    return invalidInput("invalid input in field 'user_data'");
  if (typeof userData === 'string' && utf8Bytes(userData) > USER_DATA_MAX_BYTES)
    return invalidInput("invalid input in field 'user_data': is too long (at most 32 KiB)");
  const volumes = volumesToAttach(body, state);
  if (!Array.isArray(volumes)) return volumes;
  const region = typeof location === 'string' ? location : (volumes[0]?.region ?? DEFAULT_LOCATION);
  const elsewhere = volumes.find((volume) => volume.region !== region);
  if (elsewhere) return invalidInput(`volume ${elsewhere.id} is in ${elsewhere.region}, not in ${region}`);
  const firewalls = firewallsToApply(body, state);
  if (!Array.isArray(firewalls)) return firewalls;
  if ([...state.servers.values()].some((server) => server.name === name))
    return hetznerError(409, 'uniqueness_error', 'server name is already used');
  const { server, action } = state.createServer(
    { name, labels, tags: [], size: serverType, region, image, userData: userData ?? null },
    { volumes, firewalls },
  );
  return {
    status: 201,
    body: {
      server: toServer(server, state),
      action: toAction(action),
      next_actions: [],
      root_password: null,
    },
  };
}

/** `volumes: [id, …]`: each must exist and be free. */
function volumesToAttach(body: JsonObject, state: CloudState): FakeVolume[] | Reply {
  const ids = body['volumes'] ?? [];
  if (!Array.isArray(ids) || !ids.every(isPositiveInteger))
    return invalidInput("invalid input in field 'volumes'");
  const volumes: FakeVolume[] = [];
  for (const id of ids) {
    const volume = state.volumes.get(id);
    if (!volume) return invalidInput(`volume ${id} not found`);
    if (volume.busyWith !== null) return locked(`volume ${id}`);
    if (volume.serverId !== null)
      return hetznerError(422, 'volume_already_attached', `volume ${id} is already attached to a server`);
    volumes.push(volume);
  }
  return volumes;
}

/** `firewalls: [{"firewall": id}, …]`: each must exist. */
function firewallsToApply(body: JsonObject, state: CloudState): FakeFirewall[] | Reply {
  const entries = body['firewalls'] ?? [];
  if (!Array.isArray(entries)) return invalidInput("invalid input in field 'firewalls'");
  const firewalls: FakeFirewall[] = [];
  for (const entry of entries) {
    const id = isRecord(entry) ? entry['firewall'] : undefined;
    if (!isPositiveInteger(id)) return invalidInput("invalid input in field 'firewalls'");
    const firewall = state.firewalls.get(id);
    if (!firewall) return invalidInput(`firewall ${id} not found`);
    firewalls.push(firewall);
  }
  return firewalls;
}

function deleteServer({ state, params }: RouteContext): Reply {
  const server = state.servers.get(Number(params[0]));
  if (!server) return notFound('server');
  if (server.busyWith !== null) return locked('server');
  return { status: 200, body: { action: toAction(state.deleteServer(server)) } };
}

export const serverRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: /^\/v1\/servers$/,
    handle: ({ request, state }) =>
      paginated('servers', filtered(state.servers.values(), request.query), request.query, (server) =>
        toServer(server, state),
      ),
  },
  { method: 'POST', path: /^\/v1\/servers$/, handle: createServer },
  {
    method: 'GET',
    path: /^\/v1\/servers\/(\d+)$/,
    handle: ({ state, params }) => {
      const server = state.servers.get(Number(params[0]));
      return server ? { status: 200, body: { server: toServer(server, state) } } : notFound('server');
    },
  },
  { method: 'DELETE', path: /^\/v1\/servers\/(\d+)$/, handle: deleteServer },
];
