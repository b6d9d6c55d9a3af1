import { parse as parseYaml } from 'yaml';
import { isRecord } from './json-fields.js';

/** Where the provisioner's cloud-init writes what the server is to run. */
export const APP_MANIFEST_PATH = '/etc/onecommons/app.json';

export interface AppVolumeMount {
  readonly name: string;
  /** The block device, e.g. `/dev/disk/by-id/scsi-0HC_Volume_123`. */
  readonly device: string;
  readonly mountPath: string;
}

/** `/etc/onecommons/app.json`: the container the server runs and how it is reached. */
export interface AppManifest {
  readonly image: string;
  readonly version: string;
  readonly port: number;
  readonly healthPath: string;
  readonly domain: string;
  readonly volumes: readonly AppVolumeMount[];
}

export type ManifestReading = { readonly manifest: AppManifest } | { readonly problem: string };

/** The app manifest in cloud-init user data (`#cloud-config`, then YAML whose `write_files` holds it). */
export function readAppManifest(userData: string | null): ManifestReading {
  if (userData === null || !userData.startsWith('#cloud-config'))
    return { problem: 'the user data is not #cloud-config' };
  let config: unknown;
  try {
    config = parseYaml(userData) as unknown;
  } catch (error) {
    return { problem: `the user data is not YAML: ${(error as Error).message}` };
  }
  const files = isRecord(config) && Array.isArray(config['write_files']) ? config['write_files'] : [];
  const entry = files.find(
    (file): file is Record<string, unknown> => isRecord(file) && file['path'] === APP_MANIFEST_PATH,
  );
  if (!entry || typeof entry['content'] !== 'string')
    return { problem: `write_files has no ${APP_MANIFEST_PATH} with content` };
  const content = /^b(ase)?64$/.test(String(entry['encoding'] ?? ''))
    ? Buffer.from(entry['content'], 'base64').toString('utf8')
    : entry['content'];
  try {
    const manifest = manifestFrom(JSON.parse(content));
    return manifest ? { manifest } : { problem: `${APP_MANIFEST_PATH} lacks a field or has a wrong one` };
  } catch {
    return { problem: `${APP_MANIFEST_PATH} is not JSON` };
  }
}

function manifestFrom(json: unknown): AppManifest | null {
  if (!isRecord(json)) return null;
  const { image, version, port, healthPath, domain, volumes = [] } = json;
  const texts = [image, version, healthPath, domain];
  if (!texts.every((text) => typeof text === 'string' && text !== '')) return null;
  if (typeof port !== 'number' || !Array.isArray(volumes) || !volumes.every(isVolumeMount)) return null;
  return {
    image: image as string,
    version: version as string,
    port,
    healthPath: healthPath as string,
    domain: domain as string,
    volumes,
  };
}

function isVolumeMount(value: unknown): value is AppVolumeMount {
  return (
    isRecord(value) &&
    typeof value['name'] === 'string' &&
    typeof value['device'] === 'string' &&
    typeof value['mountPath'] === 'string'
  );
}
