import { dropletActionRoutes } from './digitalocean/droplet-actions.js';
import { dropletRoutes } from './digitalocean/droplets.js';
import { domainRoutes } from './digitalocean/domains.js';
import { firewallRoutes } from './digitalocean/firewalls.js';
import { digitaloceanError, notFound } from './digitalocean/replies.js';
import { digitaloceanVolumeDevice, volumeRoutes } from './digitalocean/volumes.js';
import { type Dialect, type FakeCloud, type FakeCloudOptions, startFakeCloud } from './fake-cloud-server.js';
import { dispatch } from './routes.js';

const ROUTES = [
  ...dropletRoutes,
  ...dropletActionRoutes,
  ...firewallRoutes,
  ...volumeRoutes,
  ...domainRoutes,
];

export const digitaloceanDialect: Dialect = {
  name: 'digitalocean',
  rateHeaders: { limit: 'ratelimit-limit', remaining: 'ratelimit-remaining', reset: 'ratelimit-reset' },
  route: (request, state, baseUrl) => dispatch(ROUTES, request, state, baseUrl) ?? notFound(),
  error: digitaloceanError,
  volumeDevice: digitaloceanVolumeDevice,
};

/** The fake DigitalOcean API; its base URL (what a provider account names) is `url` itself. */
export function startFakeDigitalOcean(options: FakeCloudOptions): Promise<FakeCloud> {
  return startFakeCloud(digitaloceanDialect, options);
}
