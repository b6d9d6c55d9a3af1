import { type AppManifest, readAppManifest } from './app-manifest.js';
import { type FakeServer, type FakeVolume } from './cloud-resources.js';
import { type CloudState } from './cloud-state.js';

export type AppDownReason =
  'no_server' | 'server_off' | 'no_manifest' | 'volume_missing' | 'starting' | 'failing_version';

/** Whether the app a server's user data describes runs, and if not, why. */
export type AppState =
  | { readonly running: true; readonly manifest: AppManifest }
  | { readonly running: false; readonly reason: AppDownReason; readonly detail: string };

/** What decides whether a cloud's servers run their apps. */
export interface AppHost {
  readonly state: CloudState;
  /** How long after becoming running a server's app answers. */
  readonly appStartMs: number;
  /** `image:version` references whose app never comes up. */
  readonly failingImages: ReadonlySet<string>;
  /** The device path a volume has on the server it is attached to, as the provider names it. */
  volumeDevice(volume: FakeVolume): string;
}

export function appStateOf(server: FakeServer, host: AppHost): AppState {
  if (server.status !== 'running' || server.runningSince === null)
    return down('server_off', `server ${server.id} is ${server.status}`);
  const reading = readAppManifest(server.userData);
  if ('problem' in reading) return down('no_manifest', reading.problem);
  const { manifest } = reading;
  const attached = new Set(host.state.volumesOf(server).map((volume) => host.volumeDevice(volume)));
  const missing = manifest.volumes.filter((volume) => !attached.has(volume.device));
  if (missing.length > 0)
    return down(
      'volume_missing',
      `not attached to server ${server.id}: ${missing.map((volume) => `${volume.name} (${volume.device})`).join(', ')}`,
    );
  const upMs = host.state.now() - server.runningSince;
  if (upMs < host.appStartMs)
    return down(
      'starting',
      `server ${server.id} has run ${upMs} ms of the ${host.appStartMs} ms the app takes to start`,
    );
  const imageRef = `${manifest.image}:${manifest.version}`;
  if (host.failingImages.has(imageRef)) return down('failing_version', `${imageRef} fails to start`);
  return { running: true, manifest };
}

function down(reason: AppDownReason, detail: string): AppState {
  return { running: false, reason, detail };
}
