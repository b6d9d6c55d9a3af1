import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SERVICE_NAMES } from '@onecommons/contracts';
import { internalServicePort, REPO_ROOT, replicaIndexes, replicaPort, type Profile } from '../profile.js';
import { say } from './log.js';
import { answers, getJson, waitUntil } from './probes.js';
import { tailOf, type ProcessTable } from './processes.js';
import { ensureDebianPackages, NGINX } from './debian.js';
import { runCommand } from './run-command.js';

const GATEWAY_DIR = path.join(REPO_ROOT, 'deploy/gateway');
const PROCESS_NAME = 'gateway';

/** Limits of the local gateway; the compose file sets its own. */
export const GATEWAY_LIMITS = { rate: '50r/s', burst: 100, maxBody: '1m' } as const;

/** The template's variables, and only those: nginx's own `$vars` stay untouched. */
function gatewayVariables(profile: Profile, prefix: string): Record<string, string> {
  const upstreams = Object.fromEntries(
    SERVICE_NAMES.map((service) => [
      `${service.toUpperCase()}_UPSTREAM_SERVERS`,
      replicaIndexes(profile)
        .map((replica) => `server 127.0.0.1:${replicaPort(profile, service, replica)};`)
        .join(' '),
    ]),
  );
  return {
    ...upstreams,
    GATEWAY_LISTEN: `${profile.gateway.host}:${profile.gateway.port}`,
    GATEWAY_RATE_LIMIT: GATEWAY_LIMITS.rate,
    GATEWAY_RATE_BURST: String(GATEWAY_LIMITS.burst),
    GATEWAY_MAX_BODY: GATEWAY_LIMITS.maxBody,
    GATEWAY_ACCESS_LOG: path.join(prefix, 'logs/access.log'),
  };
}

export function renderTemplate(template: string, variables: Readonly<Record<string, string>>): string {
  return template.replace(/\$\{([A-Z_]+)\}/g, (match, name: string) => {
    const value = variables[name];
    if (value === undefined) throw new Error(`gateway template uses \${${name}}, which ./dev does not set`);
    return value;
  });
}

/**
 * With replicas, one listener per service on its internal port, balancing its replicas for the other services
 * and tools (what a Kubernetes Service does): everything passes, `/internal/` included, and only 127.0.0.1
 * reaches it. Empty with one replica, where callers use the service's own port.
 */
export function internalListeners(profile: Profile): string {
  if (profile.replicas === 1) return '';
  return SERVICE_NAMES.map(
    (service) => `server {
    listen 127.0.0.1:${internalServicePort(profile, service)};
    access_log off;
    client_max_body_size 0;
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Host $host;
    proxy_read_timeout 300s;
    location / { proxy_pass http://${service}; }
}
`,
  ).join('');
}

function writeConfig(profile: Profile, prefix: string): string {
  for (const dir of ['conf.d', 'logs', 'run', 'tmp']) mkdirSync(path.join(prefix, dir), { recursive: true });
  const template = readFileSync(path.join(GATEWAY_DIR, 'templates/default.conf.template'), 'utf8');
  writeFileSync(
    path.join(prefix, 'conf.d/default.conf'),
    renderTemplate(template, gatewayVariables(profile, prefix)) + internalListeners(profile),
  );
  const main = readFileSync(path.join(GATEWAY_DIR, 'nginx.local.conf'), 'utf8');
  const user = process.getuid?.() === 0 ? 'user root root;\n' : '';
  const mainFile = path.join(prefix, 'nginx.conf');
  writeFileSync(mainFile, user + main);
  return mainFile;
}

/** Starts the gateway unless something already answers on its port. Returns whether this call started it. */
export async function ensureGateway(profile: Profile, processes: ProcessTable): Promise<boolean> {
  const { host, port } = profile.gateway;
  if (await answers(host, port)) return false;
  await ensureDebianPackages([NGINX]);
  const prefix = path.join(profile.stateDir, 'gateway');
  const mainFile = writeConfig(profile, prefix);
  await runCommand(NGINX.command, ['-t', '-q', '-p', `${prefix}/`, '-c', mainFile]);
  say(`starting the gateway (nginx) on ${host}:${port}`);
  processes.start({
    name: PROCESS_NAME,
    command: NGINX.command,
    args: ['-p', `${prefix}/`, '-c', mainFile],
    cwd: prefix,
    logFile: path.join(profile.stateDir, 'logs', 'gateway.log'),
    marker: mainFile,
  });
  try {
    await waitUntil(
      `the gateway at ${host}:${port}`,
      async () => (await getJson(`http://${host}:${port}/health`)).status === 200,
      { timeoutMs: 15_000 },
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${tailOf(path.join(prefix, 'logs/error.log'))}`);
  }
  return true;
}

export async function stopGateway(processes: ProcessTable): Promise<boolean> {
  return processes.stop(PROCESS_NAME);
}
