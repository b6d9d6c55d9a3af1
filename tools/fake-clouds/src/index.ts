export { getAsHost } from './as-host.js';
export { startFakeAppEdge, type FakeAppEdge, type FakeAppEdgeOptions } from './app-edge.js';
export { APP_MANIFEST_PATH, readAppManifest, type AppManifest, type AppVolumeMount } from './app-manifest.js';
export {
  CloudState,
  DEFAULT_DNS_ZONES,
  type ActionCommand,
  type FakeAction,
  type FakeFirewall,
  type FakeServer,
  type FakeVolume,
  type FirewallRule,
} from './cloud-state.js';
export { startFakeDigitalOcean } from './digitalocean-dialect.js';
export { DnsZones, type FakeRecord, type FakeZone } from './dns-zones.js';
export {
  type FakeCloud,
  type FakeCloudOptions,
  type FaultControls,
  type RecordedRequest,
  startFakeCloud,
} from './fake-cloud-server.js';
export { matchesSelector, startFakeHetzner } from './hetzner-dialect.js';
export { type AppDownReason, type AppState } from './simulated-app.js';
