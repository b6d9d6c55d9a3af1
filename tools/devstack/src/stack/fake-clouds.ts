import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { profileSecret, REPO_ROOT, portSlotOf, type Profile } from '../profile.js';
import { say } from './log.js';
import { answers, getJson, waitUntil } from './probes.js';
import { tailOf, type ProcessTable } from './processes.js';

const PROCESS_NAME = 'fake-clouds';
// A function, not a constant: profile.ts imports this module, so REPO_ROOT is not set yet at load.
const entry = () => path.join(REPO_ROOT, 'tools/fake-clouds/dist/src/main.js');
const HOST = '127.0.0.1';

/**
 * The local Hetzner Cloud and DigitalOcean stand-ins: dev 12112/12113, test 12212/12213 + 100 × slot; where the
 * apps on their servers answer through their DNS (the edge): dev 12117, test 12217 + 100 × slot.
 */
export function fakeCloudPorts(profile: Profile): { hetzner: number; digitalocean: number; edge: number } {
  const base = profile.name === 'dev' ? 12_112 : 12_212 + 100 * portSlotOf(profile);
  return { hetzner: base, digitalocean: base + 1, edge: base + 5 };
}

/**
 * What a provider account at the local fakes is registered with (`commons demo seed` uses it): the base URLs
 * as the provisioner's adapters expect them (Hetzner's includes `/v1`) and the token both fakes accept.
 */
export function fakeCloudAccounts(profile: Profile): {
  hetznerBaseUrl: string;
  digitaloceanBaseUrl: string;
  /** Where the apps on the fakes' servers answer, asked with their domain as Host. */
  edgeUrl: string;
  token: string;
} {
  const ports = fakeCloudPorts(profile);
  return {
    hetznerBaseUrl: `http://${HOST}:${ports.hetzner}/v1`,
    digitaloceanBaseUrl: `http://${HOST}:${ports.digitalocean}`,
    edgeUrl: `http://${HOST}:${ports.edge}`,
    token: Buffer.from(profileSecret(profile, 'fake-clouds-token'), 'base64').toString('hex'),
  };
}

/**
 * The provisioner's settings in a local stack: its credentials key, the fakes as allowed API addresses, and the
 * fakes' edge as where the apps' domains are reached.
 */
export function provisionerEnvironment(profile: Profile): Record<string, string> {
  const accounts = fakeCloudAccounts(profile);
  return {
    PROVISIONER_APP_CONNECT_TO: accounts.edgeUrl,
    PROVISIONER_CREDENTIALS_KEY: profileSecret(profile, 'provisioner-credentials-key'),
    PROVISIONER_ALLOWED_API_BASE_URLS: [
      'https://api.hetzner.cloud/v1',
      'https://api.digitalocean.com',
      accounts.hetznerBaseUrl,
      accounts.digitaloceanBaseUrl,
    ].join(','),
  };
}

/** Starts the fake clouds unless something answers on the Hetzner port. */
/** Where `./dev` tells clients (`commons demo seed --fake-clouds`) how to reach the fakes. */
export const fakeCloudsFileOf = (profile: Profile) => path.join(profile.stateDir, 'fake-clouds.json');

export async function ensureFakeClouds(profile: Profile, processes: ProcessTable): Promise<boolean> {
  const ports = fakeCloudPorts(profile);
  mkdirSync(profile.stateDir, { recursive: true });
  writeFileSync(fakeCloudsFileOf(profile), `${JSON.stringify(fakeCloudAccounts(profile), null, 2)}\n`, {
    mode: 0o600,
  });
  if (await answers(HOST, ports.hetzner)) return false;
  const logFile = path.join(profile.stateDir, 'logs', 'fake-clouds.log');
  say(
    `starting the fake clouds (Hetzner ${HOST}:${ports.hetzner}, DigitalOcean ${HOST}:${ports.digitalocean}, ` +
      `apps ${HOST}:${ports.edge})`,
  );
  processes.start({
    name: PROCESS_NAME,
    command: process.execPath,
    args: ['--enable-source-maps', entry()],
    env: {
      FAKE_CLOUDS_HOST: HOST,
      FAKE_HETZNER_PORT: String(ports.hetzner),
      FAKE_DIGITALOCEAN_PORT: String(ports.digitalocean),
      FAKE_CLOUDS_EDGE_PORT: String(ports.edge),
      FAKE_CLOUDS_TOKEN: fakeCloudAccounts(profile).token,
    },
    cwd: REPO_ROOT,
    logFile,
    marker: entry(),
  });
  try {
    await waitUntil(
      `the fake clouds at ${HOST}:${ports.hetzner}`,
      async () =>
        (await getJson(`http://${HOST}:${ports.hetzner}/_fake/health`)).status === 200 &&
        (await getJson(`http://${HOST}:${ports.digitalocean}/_fake/health`)).status === 200,
      { timeoutMs: 15_000 },
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${tailOf(logFile)}`);
  }
  return true;
}

export function stopFakeClouds(processes: ProcessTable): Promise<boolean> {
  return processes.stop(PROCESS_NAME);
}
