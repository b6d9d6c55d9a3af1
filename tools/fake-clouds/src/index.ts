export { CloudState, type FakeAction, type FakeServer } from './cloud-state.js';
export { startFakeDigitalOcean } from './digitalocean-dialect.js';
export {
  type FakeCloud,
  type FakeCloudOptions,
  type FaultControls,
  type RecordedRequest,
  startFakeCloud,
} from './fake-cloud-server.js';
export { matchesSelector, startFakeHetzner } from './hetzner-dialect.js';
