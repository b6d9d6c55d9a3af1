import { type Reply } from '../fake-cloud-server.js';
import { objectBody } from '../json-fields.js';
import { type Route, type RouteContext } from '../routes.js';
import { SIZES } from './catalog.js';
import { notFound, pendingEvent, toAction, unprocessable } from './replies.js';

const POWER = { power_on: 'power_on', power_off: 'power_off', shutdown: 'shutdown' } as const;

/** `POST /v2/droplets/{id}/actions` with `{"type": "power_on"|"power_off"|"shutdown"|"resize", …}`: 201. */
function dropletAction({ request, state, params }: RouteContext): Reply {
  const server = state.servers.get(Number(params[0]));
  if (!server) return notFound();
  const { type, size, disk } = objectBody(request.body);
  if (type !== 'resize' && !(typeof type === 'string' && type in POWER))
    return unprocessable('type must be one of power_on, power_off, shutdown, resize.');
  if (server.busyWith !== null) return pendingEvent();
  if (type !== 'resize') {
    const action = state.changePower(server, POWER[type as keyof typeof POWER]);
    return { status: 201, body: { action: toAction(action) } };
  }
  if (typeof size !== 'string' || !(size in SIZES))
    return unprocessable('You specified an invalid size for Droplet resize.');
  if (disk !== undefined && typeof disk !== 'boolean') return unprocessable('disk must be true or false.');
  if (server.status !== 'off') return unprocessable('Droplet must be powered off before it is resized.');
  return { status: 201, body: { action: toAction(state.resizeServer(server, size)) } };
}

export const dropletActionRoutes: readonly Route[] = [
  { method: 'POST', path: /^\/v2\/droplets\/(\d+)\/actions$/, handle: dropletAction },
  {
    method: 'GET',
    path: /^\/v2\/actions\/(\d+)$/,
    handle: ({ state, params }) => {
      const action = state.actions.get(Number(params[0]));
      return action ? { status: 200, body: { action: toAction(action) } } : notFound();
    },
  },
];
