import { stringify } from 'yaml';
import { type AppSpec, imageRefOf, type VolumeSpec } from './app-spec.js';

/** A volume as the server sees it: where the provider attaches it, where the app sees it. */
export interface AttachedVolume extends VolumeSpec {
  readonly device: string;
}

/** What the app's server was created to run; written to the server, and read back by the local fake clouds. */
export interface AppManifest {
  readonly image: string;
  readonly version: string;
  readonly port: number;
  readonly healthPath: string;
  readonly domain: string;
  readonly volumes: readonly { readonly name: string; readonly device: string; readonly mountPath: string }[];
}

export const APP_MANIFEST_PATH = '/etc/onecommons/app.json';
/** The host port the container is published on, for Caddy only (loopback). */
const LOCAL_PORT = 8080;
const hostPathOf = (volume: VolumeSpec) => `/mnt/onecommons/${volume.name}`;

/**
 * cloud-init user data that installs Podman and Caddy, mounts the volumes, runs the app's image as a systemd
 * service (restarted when it exits) and serves it on the domain over HTTPS (Caddy obtains the certificate).
 */
export function renderCloudInit(app: AppSpec, domain: string, volumes: readonly AttachedVolume[]): string {
  const manifest: AppManifest = {
    image: app.image,
    version: app.version,
    port: app.port,
    healthPath: app.healthPath,
    domain,
    volumes: volumes.map(({ name, device, mountPath }) => ({ name, device, mountPath })),
  };
  const mounts = volumes.map((volume) => `-v ${hostPathOf(volume)}:${volume.mountPath}:Z`).join(' ');
  const config = {
    package_update: true,
    packages: ['podman', 'caddy'],
    mounts: volumes.map((volume) => [
      volume.device,
      hostPathOf(volume),
      'ext4',
      'defaults,nofail,discard',
      '0',
      '2',
    ]),
    write_files: [
      { path: APP_MANIFEST_PATH, permissions: '0644', content: `${JSON.stringify(manifest)}\n` },
      {
        path: '/etc/caddy/Caddyfile',
        permissions: '0644',
        content: `${domain} {\n\treverse_proxy 127.0.0.1:${LOCAL_PORT}\n}\n`,
      },
      {
        path: '/etc/systemd/system/onecommons-app.service',
        permissions: '0644',
        content: [
          '[Unit]',
          `Description=OneCommons app ${imageRefOf(app)}`,
          'Wants=network-online.target',
          'After=network-online.target local-fs.target',
          '',
          '[Service]',
          'ExecStartPre=-/usr/bin/podman rm -f onecommons-app',
          `ExecStart=/usr/bin/podman run --name onecommons-app --rm -p 127.0.0.1:${LOCAL_PORT}:${app.port} ${mounts} ${imageRefOf(app)}`
            .replace(/ +/g, ' ')
            .trim(),
          'ExecStop=/usr/bin/podman stop onecommons-app',
          'Restart=always',
          'RestartSec=5',
          '',
          '[Install]',
          'WantedBy=multi-user.target',
          '',
        ].join('\n'),
      },
    ],
    runcmd: [
      ['systemctl', 'daemon-reload'],
      ['systemctl', 'enable', '--now', 'onecommons-app.service'],
      ['systemctl', 'reload-or-restart', 'caddy'],
    ],
  };
  return `#cloud-config\n${stringify(config, { lineWidth: 0 })}`;
}
