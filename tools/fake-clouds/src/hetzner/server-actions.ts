import { type FakeServer } from '../cloud-resources.js';
import { type CloudState } from '../cloud-state.js';
import { type Reply } from '../fake-cloud-server.js';
import { objectBody } from '../json-fields.js';
import { type Route, type RouteContext } from '../routes.js';
import { SERVER_TYPES } from './catalog.js';
import { hetznerError, invalidInput, locked, notFound, toAction } from './replies.js';

const POWER = { poweron: 'power_on', poweroff: 'power_off', shutdown: 'shutdown' } as const;

/** `POST /v1/servers/{id}/actions/{poweron|poweroff|shutdown|change_type}`: 201 with the running action. */
function serverAction({ request, state, params }: RouteContext): Reply {
  const [id, name] = params;
  const server = state.servers.get(Number(id));
  if (!server) return notFound('server');
  if (server.busyWith !== null) return locked('server');
  if (name === 'change_type') return changeType(server, request.body, state);
  const command = POWER[name as keyof typeof POWER];
  return { status: 201, body: { action: toAction(state.changePower(server, command)) } };
}

function changeType(server: FakeServer, rawBody: unknown, state: CloudState): Reply {
  const { server_type: serverType, upgrade_disk: upgradeDisk } = objectBody(rawBody);
  if (typeof serverType !== 'string') return invalidInput("invalid input in field 'server_type'");
  if (!(serverType in SERVER_TYPES)) return invalidInput('server_type not found');
  if (typeof upgradeDisk !== 'boolean') return invalidInput("invalid input in field 'upgrade_disk'");
  if (server.status !== 'off')
    return hetznerError(422, 'server_not_stopped', 'the server must be powered off to change its type');
  return { status: 201, body: { action: toAction(state.resizeServer(server, serverType)) } };
}

export const serverActionRoutes: readonly Route[] = [
  {
    method: 'POST',
    path: /^\/v1\/servers\/(\d+)\/actions\/(poweron|poweroff|shutdown|change_type)$/,
    handle: serverAction,
  },
  {
    method: 'GET',
    path: /^\/v1\/actions\/(\d+)$/,
    handle: ({ state, params }) => {
      const action = state.actions.get(Number(params[0]));
      return action ? { status: 200, body: { action: toAction(action) } } : notFound('action');
    },
  },
];
