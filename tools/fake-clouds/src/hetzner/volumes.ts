import { type FakeServer, type FakeVolume } from '../cloud-resources.js';
import { type CloudState } from '../cloud-state.js';
import { type Reply } from '../fake-cloud-server.js';
import { isPositiveInteger, labelsOf, objectBody } from '../json-fields.js';
import { type Route, type RouteContext } from '../routes.js';
import { LOCATIONS } from './catalog.js';
import { filtered, hetznerError, invalidInput, locked, notFound, paginated, toAction } from './replies.js';

/** Alphanumerics, `-`, `_` and `.`, starting and ending alphanumeric, at most 64 characters. */
const VOLUME_NAME = /^(?=.{1,64}$)[a-zA-Z0-9]([a-zA-Z0-9._-]*[a-zA-Z0-9])?$/;

/** How Hetzner names a volume's device on the server it is attached to. */
export const hetznerVolumeDevice = (volume: FakeVolume) => `/dev/disk/by-id/scsi-0HC_Volume_${volume.id}`;

function toVolume(volume: FakeVolume) {
  return {
    id: volume.id,
    name: volume.name,
    size: volume.sizeGb,
    labels: volume.labels,
    server: volume.serverId,
    location: { name: volume.region },
    linux_device: hetznerVolumeDevice(volume),
    format: volume.format,
    status: volume.status,
    created: volume.created,
    protection: { delete: false },
  };
}

function createVolume({ request, state }: RouteContext): Reply {
  const body = objectBody(request.body);
  const { size, name, location, format, automount, server: serverId } = body;
  if (!Number.isInteger(size) || (size as number) < 10 || (size as number) > 10_240)
    return invalidInput("invalid input in field 'size': must be 10 to 10240 (GB)");
  if (typeof name !== 'string' || !VOLUME_NAME.test(name))
    return invalidInput("invalid input in field 'name'");
  const labels = labelsOf(body['labels']);
  if (!labels) return invalidInput("invalid input in field 'labels'");
  if (format !== undefined && format !== 'ext4' && format !== 'xfs')
    return invalidInput("invalid input in field 'format': must be ext4 or xfs");
  if (automount !== undefined && typeof automount !== 'boolean')
    return invalidInput("invalid input in field 'automount'");
  if (location !== undefined && (typeof location !== 'string' || !LOCATIONS.includes(location)))
    return invalidInput('location not found');
  let server: FakeServer | undefined;
  if (serverId !== undefined) {
    server = isPositiveInteger(serverId) ? state.servers.get(serverId) : undefined;
    if (!server) return invalidInput(`server ${String(serverId)} not found`);
    if (server.busyWith !== null) return locked('server');
    if (location !== undefined && location !== server.region)
      return invalidInput(`server ${server.id} is in ${server.region}, not in ${String(location)}`);
  }
  const region = server?.region ?? location;
  if (typeof region !== 'string') return invalidInput('either location or server is required');
  if ([...state.volumes.values()].some((volume) => volume.name === name))
    return hetznerError(409, 'uniqueness_error', 'volume name is already used');
  const { volume, action } = state.createVolume({
    name,
    sizeGb: size as number,
    region,
    labels,
    tags: [],
    description: '',
    format: format ?? null,
  });
  const nextActions = server ? [toAction(state.attachVolume(volume, server))] : [];
  return {
    status: 201,
    body: { volume: toVolume(volume), action: toAction(action), next_actions: nextActions },
  };
}

function deleteVolume({ state, params }: RouteContext): Reply {
  const volume = state.volumes.get(Number(params[0]));
  if (!volume) return notFound('volume');
  if (volume.busyWith !== null) return locked('volume');
  // Hetzner documents that an attached volume cannot be deleted, not the error it answers; `locked` stands in.
  if (volume.serverId !== null)
    return hetznerError(
      423,
      'locked',
      `volume is attached to server ${volume.serverId}: detach it before deleting it`,
    );
  state.deleteVolume(volume);
  return { status: 204 };
}

function attachVolume(volume: FakeVolume, rawBody: unknown, state: CloudState): Reply {
  const { server: serverId, automount } = objectBody(rawBody);
  if (!isPositiveInteger(serverId)) return invalidInput("invalid input in field 'server'");
  if (automount !== undefined && typeof automount !== 'boolean')
    return invalidInput("invalid input in field 'automount'");
  const server = state.servers.get(serverId);
  if (!server) return invalidInput(`server ${serverId} not found`);
  if (server.busyWith !== null) return locked('server');
  if (volume.serverId !== null)
    return hetznerError(
      422,
      'volume_already_attached',
      `volume is already attached to server ${volume.serverId}`,
    );
  if (server.region !== volume.region)
    return invalidInput(`server ${server.id} is in ${server.region}, the volume in ${volume.region}`);
  return { status: 201, body: { action: toAction(state.attachVolume(volume, server)) } };
}

function detachVolume(volume: FakeVolume, state: CloudState): Reply {
  if (volume.serverId === null) return invalidInput('volume is not attached to a server');
  const server = state.servers.get(volume.serverId);
  if (server && server.busyWith !== null) return locked('server');
  return { status: 201, body: { action: toAction(state.detachVolume(volume)) } };
}

function volumeAction({ request, state, params }: RouteContext): Reply {
  const volume = state.volumes.get(Number(params[0]));
  if (!volume) return notFound('volume');
  if (volume.busyWith !== null) return locked('volume');
  return params[1] === 'attach' ? attachVolume(volume, request.body, state) : detachVolume(volume, state);
}

export const volumeRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: /^\/v1\/volumes$/,
    handle: ({ request, state }) =>
      paginated('volumes', filtered(state.volumes.values(), request.query), request.query, toVolume),
  },
  { method: 'POST', path: /^\/v1\/volumes$/, handle: createVolume },
  {
    method: 'GET',
    path: /^\/v1\/volumes\/(\d+)$/,
    handle: ({ state, params }) => {
      const volume = state.volumes.get(Number(params[0]));
      return volume ? { status: 200, body: { volume: toVolume(volume) } } : notFound('volume');
    },
  },
  { method: 'DELETE', path: /^\/v1\/volumes\/(\d+)$/, handle: deleteVolume },
  { method: 'POST', path: /^\/v1\/volumes\/(\d+)\/actions\/(attach|detach)$/, handle: volumeAction },
];
