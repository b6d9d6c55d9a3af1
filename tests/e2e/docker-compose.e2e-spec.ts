import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// Checks the Docker packaging of the platform without a Docker engine: `docker-compose config` only
// parses and validates the file, and the Prometheus config is read as text. The Dockerfile has a unit test
// (tools/deploy/src/dockerfile.spec.ts).

const repoRoot = join(import.meta.dirname, '..', '..');
const composeFile = join(repoRoot, 'docker-compose.yml');
const infrastructure = ['gateway', 'kafka', 'postgres', 'redis', 'prometheus', 'grafana', 'otel-collector'];

const appServices = readdirSync(join(repoRoot, 'services'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

/** Runs docker-compose against the repository's compose file; a missing binary fails with how to get it. */
function dockerCompose(...args: string[]): string {
  try {
    return execFileSync('docker-compose', ['-f', composeFile, ...args], {
      cwd: repoRoot,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { status?: number | null; stderr?: string };
    if (failure.code === 'ENOENT') {
      throw new Error(
        'The docker-compose binary was not found on PATH. This test needs it to validate docker-compose.yml ' +
          '(no Docker engine required): install it, e.g. `apt-get install -y docker-compose`.',
      );
    }
    throw new Error(
      `docker-compose ${args.join(' ')} exited with status ${String(failure.status)}:\n${failure.stderr ?? String(error)}`,
    );
  }
}

describe('docker-compose.yml', () => {
  it('is valid for docker-compose', () => {
    // Throws with docker-compose's own complaint when the file is invalid.
    dockerCompose('config', '--quiet');
  });

  it('runs every service under services/ and the infrastructure around them', () => {
    const declared = dockerCompose('config', '--services')
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);

    const missing = [...appServices, ...infrastructure].filter((name) => !declared.includes(name));

    expect(appServices.length).toBeGreaterThan(0);
    expect(missing).toEqual([]);
  });
});

describe('deploy/prometheus/prometheus.yml', () => {
  const prometheusConfig = readFileSync(join(repoRoot, 'deploy', 'prometheus', 'prometheus.yml'), 'utf8');
  const composeConfig = dockerCompose('config');

  it.each(appServices)('scrapes %s on the HTTP_PORT docker-compose gives it', (service) => {
    const port = httpPortOf(composeConfig, service);

    expect(prometheusConfig).toMatch(new RegExp(`['"\\s[]${service}:${port}['"\\s,\\]]`));
  });
});

/** A service's HTTP_PORT in `docker-compose config`'s output (services in order, each with its environment). */
function httpPortOf(composeConfig: string, service: string): string {
  const section = composeConfig.split(new RegExp(`^  ${service}:$`, 'm'))[1]?.split(/^  [a-z-]+:$/m)[0] ?? '';
  const port = /HTTP_PORT: ['"]?(\d+)/.exec(section)?.[1];
  if (!port) throw new Error(`docker-compose config sets no HTTP_PORT for ${service}`);
  return port;
}
