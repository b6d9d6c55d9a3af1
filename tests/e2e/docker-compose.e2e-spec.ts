import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// Checks the Docker packaging of the platform without a Docker engine: `docker-compose config` only
// parses and validates the file, and the Dockerfiles and Prometheus config are read as text.

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

function dockerfileOf(service: string): string {
  const path = join(repoRoot, 'services', service, 'Dockerfile');
  if (!existsSync(path)) throw new Error(`services/${service}/Dockerfile does not exist`);
  return readFileSync(path, 'utf8');
}

/** Instruction lines of a Dockerfile (comments and continuation lines are not instructions). */
function instructions(dockerfile: string, keyword: string): string[] {
  const pattern = new RegExp(`^\\s*${keyword}\\s+(.+)$`, 'gim');
  return [...dockerfile.matchAll(pattern)].map((match) => (match[1] ?? '').trim());
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

describe('service Dockerfiles', () => {
  it.each(appServices)('services/%s/Dockerfile is multi-stage and runs as a non-root user', (service) => {
    const dockerfile = dockerfileOf(service);

    expect(instructions(dockerfile, 'FROM').length).toBeGreaterThanOrEqual(2);
    const users = instructions(dockerfile, 'USER');
    expect(users).not.toHaveLength(0);
    // The last USER wins; root by name or by uid 0 (with or without a group) defeats the point.
    expect(users.at(-1)).not.toMatch(/^(root|0)(:.*)?$/);
  });
});

describe('deploy/prometheus/prometheus.yml', () => {
  const prometheusConfig = readFileSync(join(repoRoot, 'deploy', 'prometheus', 'prometheus.yml'), 'utf8');

  it.each(appServices)('scrapes %s on the port its Dockerfile exposes', (service) => {
    const exposed = instructions(dockerfileOf(service), 'EXPOSE');
    expect(exposed).toHaveLength(1);
    const port = (exposed[0] ?? '').split(/[\s/]/)[0];

    expect(prometheusConfig).toMatch(new RegExp(`['"\\s[]${service}:${port}['"\\s,\\]]`));
  });
});
