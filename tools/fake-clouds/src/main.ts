#!/usr/bin/env node
import { startFakeDigitalOcean } from './digitalocean-dialect.js';
import { type FakeCloud } from './fake-cloud-server.js';
import { startFakeHetzner } from './hetzner-dialect.js';

/**
 * `node tools/fake-clouds/dist/src/main.js`: the fake Hetzner Cloud and DigitalOcean APIs as one process, each on
 * its own port, configured by the environment: FAKE_CLOUDS_HOST (127.0.0.1), FAKE_HETZNER_PORT (12112),
 * FAKE_DIGITALOCEAN_PORT (12113), FAKE_CLOUDS_TOKEN (the Bearer token both accept),
 * FAKE_CLOUDS_ACTION_MS (how long actions run, default 2000).
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

const token = process.env['FAKE_CLOUDS_TOKEN'] ?? '';
if (token.length < 8) fail('FAKE_CLOUDS_TOKEN is required (8 characters or more)');
const host = process.env['FAKE_CLOUDS_HOST'] || '127.0.0.1';
const actionDurationMs = integer('FAKE_CLOUDS_ACTION_MS', 2_000, 0, 600_000);
const fakes: FakeCloud[] = [
  await startFakeHetzner({
    token,
    host,
    port: integer('FAKE_HETZNER_PORT', 12_112, 1, 65_535),
    actionDurationMs,
  }),
  await startFakeDigitalOcean({
    token,
    host,
    port: integer('FAKE_DIGITALOCEAN_PORT', 12_113, 1, 65_535),
    actionDurationMs,
  }),
];
process.stdout.write(`fake-clouds: Hetzner on ${fakes[0]?.url}/v1, DigitalOcean on ${fakes[1]?.url}\n`);

const stop = (signal: NodeJS.Signals) => {
  process.stdout.write(`fake-clouds: ${signal}, stopping\n`);
  Promise.all(fakes.map((fake) => fake.close())).then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
