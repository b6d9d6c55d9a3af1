import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { appSpecSchema, volumeSpecsSchema } from './app-spec.js';
import { APP_MANIFEST_PATH, renderCloudInit } from './cloud-init.js';

const app = { image: 'ghcr.io/org/wiki', version: '1.4.2', port: 3000, healthPath: '/healthz' };
const volume = {
  name: 'data',
  sizeGb: 20,
  mountPath: '/var/lib/wiki',
  device: '/dev/disk/by-id/scsi-0HC_Volume_42',
};

interface CloudConfig {
  packages: string[];
  mounts: string[][];
  write_files: { path: string; content: string }[];
  runcmd: string[][];
}

describe('the cloud-init user data of an app', () => {
  const text = renderCloudInit(app, 'wiki.example.org', [volume]);
  const config = parse(text) as CloudConfig;
  const file = (path: string) => config.write_files.find((entry) => entry.path === path)?.content ?? '';

  it('is a cloud-config that installs Podman and Caddy', () => {
    expect(text.startsWith('#cloud-config\n')).toBe(true);
    expect(config.packages).toEqual(['podman', 'caddy']);
  });

  it('writes what runs, mounts the volume and starts the image on loopback only', () => {
    expect(JSON.parse(file(APP_MANIFEST_PATH))).toEqual({
      ...app,
      domain: 'wiki.example.org',
      volumes: [{ name: 'data', device: volume.device, mountPath: '/var/lib/wiki' }],
    });
    expect(config.mounts).toEqual([
      [volume.device, '/mnt/onecommons/data', 'ext4', 'defaults,nofail,discard', '0', '2'],
    ]);
    const unit = file('/etc/systemd/system/onecommons-app.service');
    expect(unit).toContain(
      'ExecStart=/usr/bin/podman run --name onecommons-app --rm -p 127.0.0.1:8080:3000 ' +
        '-v /mnt/onecommons/data:/var/lib/wiki:Z ghcr.io/org/wiki:1.4.2',
    );
    expect(unit).toContain('Restart=always');
    expect(config.runcmd).toContainEqual(['systemctl', 'enable', '--now', 'onecommons-app.service']);
  });

  it('serves the domain over HTTPS through Caddy', () => {
    expect(file('/etc/caddy/Caddyfile')).toBe('wiki.example.org {\n\treverse_proxy 127.0.0.1:8080\n}\n');
  });

  it('fits the providers’ user data limits (Hetzner 32 KiB)', () => {
    const most = renderCloudInit(
      {
        ...app,
        image: `ghcr.io/${'a'.repeat(230)}`,
        version: 'v'.repeat(128),
        healthPath: `/${'h'.repeat(199)}`,
      },
      `${'d'.repeat(60)}.example.org`,
      ['a', 'b', 'c', 'd'].map((name) => ({
        ...volume,
        name: name.repeat(20),
        mountPath: `/${'m'.repeat(199)}${name}`,
      })),
    );
    expect(Buffer.byteLength(most)).toBeLessThan(32 * 1024);
  });
});

describe('what a deployment may run', () => {
  it('takes an image without tag, a tag, a port and a health path', () => {
    expect(appSpecSchema.parse({ image: 'docker.io/library/nginx', version: '1.27', port: 80 })).toEqual({
      image: 'docker.io/library/nginx',
      version: '1.27',
      port: 80,
      healthPath: '/',
    });
    for (const image of ['ghcr.io/org/app:1.0', 'GHCR.io/org/app', 'ghcr.io/org/app@sha256:abc', 'a b', '-x'])
      expect(appSpecSchema.safeParse({ ...app, image }).success).toBe(false);
    for (const version of ['', '.1', '1.0 && curl', 'x'.repeat(129)])
      expect(appSpecSchema.safeParse({ ...app, version }).success).toBe(false);
    for (const healthPath of ['healthz', '/a b', '/a?b', '/a#b', '/\n'])
      expect(appSpecSchema.safeParse({ ...app, healthPath }).success).toBe(false);
  });

  it('takes up to four volumes with distinct names and mount paths, never with ..', () => {
    const ok = { name: 'data', sizeGb: 10, mountPath: '/data' };
    expect(volumeSpecsSchema.safeParse([ok]).success).toBe(true);
    expect(volumeSpecsSchema.safeParse([ok, { ...ok, mountPath: '/other' }]).success).toBe(false);
    expect(volumeSpecsSchema.safeParse([ok, { ...ok, name: 'other' }]).success).toBe(false);
    expect(volumeSpecsSchema.safeParse([{ ...ok, mountPath: '/data/../etc' }]).success).toBe(false);
    expect(volumeSpecsSchema.safeParse([{ ...ok, mountPath: 'data' }]).success).toBe(false);
    expect(volumeSpecsSchema.safeParse([{ ...ok, sizeGb: 9 }]).success).toBe(false);
    expect(
      volumeSpecsSchema.safeParse(
        ['a', 'b', 'c', 'd', 'e'].map((name) => ({ ...ok, name, mountPath: `/${name}` })),
      ).success,
    ).toBe(false);
  });
});
