#!/usr/bin/env node
import { startFakeAppEdge } from './app-edge.js';
import { DEFAULT_DNS_ZONES } from './cloud-state.js';
import { startFakeDigitalOcean } from './digitalocean-dialect.js';
import { type FakeCloud } from './fake-cloud-server.js';
import { startFakeHetzner } from './hetzner-dialect.js';

/**
 * `node tools/fake-clouds/dist/src/main.js`: the fake Hetzner Cloud and DigitalOcean APIs as one process, each on
 * its own port, configured by the environment: FAKE_CLOUDS_HOST (127.0.0.1), FAKE_HETZNER_PORT (12112),
 * FAKE_DIGITALOCEAN_PORT (12113), FAKE_CLOUDS_TOKEN (the Bearer token both accept),
 * FAKE_CLOUDS_ACTION_MS (how long actions run, default 2000), FAKE_CLOUDS_APP_START_MS (how long a running
 * server's app takes to answer, default 500), FAKE_CLOUDS_DNS_ZONES (comma-separated zones each fake's account
 * has, default example.org,demo.onecommons.test), FAKE_CLOUDS_EDGE_PORT (12114: the app edge, which answers
 * for host names through both fakes' DNS).
 */
function fail(message: string): never {
  process.stderr.write(`fake-clouds: ${message}\n`);
  process.exit(78);
}

function integer(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    fail(`${name} must be an integer ${min}-${max}`);
  return value;
}

function zones(name: string): readonly string[] {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return DEFAULT_DNS_ZONES;
  const names = raw.split(',').map((zone) => zone.trim().toLowerCase());
  if (!names.every((zone) => /^([a-z0-9-]+\.)+[a-z0-9-]+$/.test(zone)))
    fail(`${name} must be comma-separated domain names`);
  return names;
}

const token = process.env['FAKE_CLOUDS_TOKEN'] ?? '';
if (token.length < 8) fail('FAKE_CLOUDS_TOKEN is required (8 characters or more)');
const host = process.env['FAKE_CLOUDS_HOST'] || '127.0.0.1';
const actionDurationMs = integer('FAKE_CLOUDS_ACTION_MS', 2_000, 0, 600_000);
const appStartMs = integer('FAKE_CLOUDS_APP_START_MS', 500, 0, 600_000);
const dnsZones = zones('FAKE_CLOUDS_DNS_ZONES');
const options = { token, host, actionDurationMs, appStartMs, dnsZones };
const hetzner = await startFakeHetzner({ ...options, port: integer('FAKE_HETZNER_PORT', 12_112, 1, 65_535) });
const digitalocean = await startFakeDigitalOcean({
  ...options,
  port: integer('FAKE_DIGITALOCEAN_PORT', 12_113, 1, 65_535),
});
const fakes: FakeCloud[] = [hetzner, digitalocean];
const edgePort = process.env['FAKE_CLOUDS_EDGE_PORT']
  ? integer('FAKE_CLOUDS_EDGE_PORT', 0, 1, 65_535)
  : undefined;
// Without a port of its own (./dev's profiles pass none), a taken default moves the edge to a free port rather
// than stopping the fake APIs: two profiles' fake clouds may run side by side.
const edge = await startFakeAppEdge({ host, port: edgePort ?? 12_114, clouds: fakes }).catch(
  (error: unknown) => {
    if (edgePort === undefined && (error as NodeJS.ErrnoException).code === 'EADDRINUSE')
      return startFakeAppEdge({ host, port: 0, clouds: fakes });
    return fail(`the app edge cannot listen on ${host}:${edgePort ?? 12_114}: ${(error as Error).message}`);
  },
);
process.stdout.write(
  `fake-clouds: Hetzner on ${hetzner.url}/v1, DigitalOcean on ${digitalocean.url}, app edge on ${edge.url}\n`,
);

const stop = (signal: NodeJS.Signals) => {
  process.stdout.write(`fake-clouds: ${signal}, stopping\n`);
  Promise.all([...fakes.map((fake) => fake.close()), edge.close()]).then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
