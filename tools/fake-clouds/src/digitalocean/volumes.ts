import { type FakeVolume } from '../cloud-resources.js';
import { type Reply } from '../fake-cloud-server.js';
import { isPositiveInteger, isStringArray, objectBody } from '../json-fields.js';
import { type Route, type RouteContext } from '../routes.js';
import { REGIONS, TAG } from './catalog.js';
import {
  byUuid,
  digitaloceanError,
  notFound,
  paginated,
  pendingEvent,
  toAction,
  unprocessable,
} from './replies.js';

/** Lower-case letters, digits and dashes, starting with a letter, at most 64 characters. */
const VOLUME_NAME = /^[a-z][a-z0-9-]{0,63}$/;

/** How DigitalOcean names a volume's device on the droplet it is attached to. */
export const digitaloceanVolumeDevice = (volume: FakeVolume) =>
  `/dev/disk/by-id/scsi-0DO_Volume_${volume.name}`;

function toVolume(volume: FakeVolume) {
  return {
    id: volume.uuid,
    name: volume.name,
    description: volume.description,
    size_gigabytes: volume.sizeGb,
    region: { slug: volume.region, name: volume.region },
    droplet_ids: volume.serverId === null ? [] : [volume.serverId],
    tags: volume.tags,
    filesystem_type: volume.format ?? '',
    filesystem_label: '',
    created_at: volume.created,
  };
}

function createVolume({ request, state }: RouteContext): Reply {
  const body = objectBody(request.body);
  const { size_gigabytes: size, name, region, filesystem_type: format, description = '' } = body;
  if (!isPositiveInteger(size) || size > 16_384) return unprocessable('size_gigabytes must be 1 to 16384.');
  if (typeof name !== 'string' || !VOLUME_NAME.test(name))
    return unprocessable(
      'name must be lower-case letters, digits and dashes, start with a letter, 64 characters at most.',
    );
  if (typeof region !== 'string' || !REGIONS.includes(region))
    return unprocessable('region is not a valid region.');
  if (format !== undefined && format !== 'ext4' && format !== 'xfs')
    return unprocessable('filesystem_type must be ext4 or xfs.');
  const tags = body['tags'] ?? [];
  if (!isStringArray(tags) || !tags.every((tag) => TAG.test(tag)))
    return unprocessable('Tag names may only contain letters, numbers, colons, dashes and underscores.');
  if (typeof description !== 'string') return unprocessable('description must be a string.');
  if ([...state.volumes.values()].some((volume) => volume.name === name && volume.region === region))
    return digitaloceanError(409, 'conflict', `a volume named ${name} already exists in ${region}`);
  const volume = state.addVolume({
    name,
    sizeGb: size,
    region,
    labels: {},
    tags,
    description,
    format: format ?? null,
  });
  return { status: 201, body: { volume: toVolume(volume) } };
}

function deleteVolume({ state, params }: RouteContext): Reply {
  const volume = byUuid(state.volumes, params[0]);
  if (!volume) return notFound();
  if (volume.busyWith !== null) return pendingEvent();
  if (volume.serverId !== null)
    return digitaloceanError(
      409,
      'conflict',
      "A volume that's attached to a Droplet cannot be deleted. Please detach it first.",
    );
  state.deleteVolume(volume);
  return { status: 204 };
}

/** `{"type": "attach"|"detach", "droplet_id", "region"}`: 202 with the running action. */
function volumeAction({ request, state, params }: RouteContext): Reply {
  const volume = byUuid(state.volumes, params[0]);
  if (!volume) return notFound();
  const { type, droplet_id: dropletId, region } = objectBody(request.body);
  if (type !== 'attach' && type !== 'detach') return unprocessable('type must be attach or detach.');
  if (!isPositiveInteger(dropletId)) return unprocessable('droplet_id is required.');
  if (region !== undefined && region !== volume.region)
    return unprocessable(`The volume is in ${volume.region}.`);
  const server = state.servers.get(dropletId);
  if (!server) return unprocessable(`Droplet ${dropletId} could not be found.`);
  if (volume.busyWith !== null || server.busyWith !== null) return pendingEvent();
  if (type === 'detach') {
    if (volume.serverId !== server.id) return unprocessable('Attachment not found');
    return { status: 202, body: { action: toAction(state.detachVolume(volume)) } };
  }
  if (volume.serverId !== null) return unprocessable('The volume is already attached to a Droplet.');
  if (server.region !== volume.region)
    return unprocessable(`Droplet ${server.id} is in ${server.region}, the volume in ${volume.region}.`);
  return { status: 202, body: { action: toAction(state.attachVolume(volume, server)) } };
}

function listVolumes({ request, state, baseUrl }: RouteContext): Reply {
  const name = request.query.get('name');
  const region = request.query.get('region');
  const matching = [...state.volumes.values()].filter(
    (volume) => (name === null || volume.name === name) && (region === null || volume.region === region),
  );
  return paginated('volumes', matching, request, baseUrl, toVolume);
}

export const volumeRoutes: readonly Route[] = [
  { method: 'GET', path: /^\/v2\/volumes$/, handle: listVolumes },
  { method: 'POST', path: /^\/v2\/volumes$/, handle: createVolume },
  {
    method: 'GET',
    path: /^\/v2\/volumes\/([^/]+)$/,
    handle: ({ state, params }) => {
      const volume = byUuid(state.volumes, params[0]);
      return volume ? { status: 200, body: { volume: toVolume(volume) } } : notFound();
    },
  },
  { method: 'DELETE', path: /^\/v2\/volumes\/([^/]+)$/, handle: deleteVolume },
  { method: 'POST', path: /^\/v2\/volumes\/([^/]+)\/actions$/, handle: volumeAction },
];
