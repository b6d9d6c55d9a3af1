import { type Dialect, type FakeCloud, type FakeCloudOptions, startFakeCloud } from './fake-cloud-server.js';
import { firewallRoutes } from './hetzner/firewalls.js';
import { hetznerError } from './hetzner/replies.js';
import { serverActionRoutes } from './hetzner/server-actions.js';
import { serverRoutes } from './hetzner/servers.js';
import { hetznerVolumeDevice, volumeRoutes } from './hetzner/volumes.js';
import { zoneRoutes } from './hetzner/zones.js';
import { dispatch } from './routes.js';

export { matchesSelector } from './hetzner/label-selector.js';

const ROUTES = [...serverRoutes, ...serverActionRoutes, ...firewallRoutes, ...volumeRoutes, ...zoneRoutes];

export const hetznerDialect: Dialect = {
  name: 'hetzner',
  rateHeaders: { limit: 'RateLimit-Limit', remaining: 'RateLimit-Remaining', reset: 'RateLimit-Reset' },
  route: (request, state, baseUrl) =>
    dispatch(ROUTES, request, state, baseUrl) ??
    hetznerError(404, 'not_found', `no route ${request.method} ${request.path}`),
  error: hetznerError,
  volumeDevice: hetznerVolumeDevice,
};

/** The fake Hetzner Cloud API; its base URL (what a provider account names) is `${url}/v1`. */
export function startFakeHetzner(options: FakeCloudOptions): Promise<FakeCloud> {
  return startFakeCloud(hetznerDialect, options);
}
