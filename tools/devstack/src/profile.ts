import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVICE_NAMES, type ServiceName } from '@onecommons/contracts';
import { kafkaSecurityConfigShape } from '@onecommons/kafka';
import { type TestStack } from '@onecommons/testing';
import { CHAOS_SERVICE_ENVIRONMENT, chaosProfile } from './chaos/chaos-profile.js';
import { provisionerEnvironment } from './stack/fake-clouds.js';
import { identityStripeEnvironment, payoutsStripeEnvironment } from './stack/fake-stripe.js';
import { identityMailEnvironment, mailInboxUrl } from './stack/mail-inbox.js';
import { traceCollectorEnvironment, traceCollectorUrl } from './stack/trace-collector.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** The repository root: four levels above tools/devstack/dist/src, three above tools/devstack/src (under Jest). */
export const REPO_ROOT = path.resolve(
  HERE,
  HERE.endsWith(path.join('dist', 'src')) ? '../../../..' : '../../..',
);

/**
 * One local stack. `dev` is what `./dev start` runs and keeps its data; `test` runs beside it on other
 * ports, with a Kafka log, database and Redis database wiped at every `./dev test`.
 */
export interface Profile {
  readonly name: ProfileName;
  readonly stateDir: string;
  /** Instances of every service (`--replicas`), behind the gateway's upstreams. */
  readonly replicas: number;
  readonly kafka: {
    readonly host: string;
    /** Node 0's ports; node i listens on these plus 10 i. */
    readonly brokerPort: number;
    readonly controllerPort: number;
    /** KRaft nodes (`--kafka-nodes`): 1, or 3 with replication factor 3 and min.insync.replicas 2. */
    readonly nodes: number;
    readonly dataDir: string;
    readonly wipeOnStart: boolean;
  };
  readonly postgres: {
    readonly host: string;
    readonly port: number;
    readonly user: string;
    readonly database: string;
  };
  readonly redis: { readonly host: string; readonly port: number; readonly db: number };
  readonly gateway: { readonly host: string; readonly port: number };
  readonly servicePorts: Readonly<Record<ServiceName, number>>;
  /** Whether the database, Redis database and Kafka log are reset when the stack comes up. */
  readonly resetData: boolean;
  /** Postgres and Redis are this profile's own server processes, which ./dev starts and stops (chaos). */
  readonly privateDatastores?: boolean;
}

export function servicePorts(base: number): Record<ServiceName, number> {
  return Object.fromEntries(SERVICE_NAMES.map((name, index) => [name, base + 1 + index])) as Record<
    ServiceName,
    number
  >;
}

function envPort(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new Error(`${name} must be a TCP port (1-65535), got "${raw}"`);
  }
  return port;
}

/**
 * `ONECOMMONS_TEST_SLOT` (0-9, default 0) lets several test runs share a machine: each slot has its own
 * ports, Kafka log, database and Redis database.
 */
export function testSlot(): number {
  const raw = process.env['ONECOMMONS_TEST_SLOT'];
  if (raw === undefined || raw === '') return 0;
  if (!/^[0-9]$/.test(raw)) throw new Error(`ONECOMMONS_TEST_SLOT must be a digit 0-9, got "${raw}"`);
  return Number(raw);
}

export type ProfileName = 'dev' | 'test' | 'bench' | 'chaos';

/** How many of each a stack runs; `./dev up|start|test --replicas N --kafka-nodes M` set it. */
export interface Topology {
  readonly replicas: number;
  readonly kafkaNodes: number;
}

export const MAX_REPLICAS = 8;
export const KAFKA_NODE_COUNTS = [1, 3] as const;

/** Where `--replicas` and `--kafka-nodes` reach every profile (and the processes `./dev` starts). */
export const TOPOLOGY_VARIABLES = {
  replicas: 'ONECOMMONS_REPLICAS',
  kafkaNodes: 'ONECOMMONS_KAFKA_NODES',
} as const;

/** A bad value is named with the flag or variable it came from. */
export function parseTopology(
  values: { replicas?: string; kafkaNodes?: string },
  source: 'flag' | 'env',
): Topology {
  const name = (key: keyof Topology) =>
    source === 'flag' ? (key === 'replicas' ? '--replicas' : '--kafka-nodes') : TOPOLOGY_VARIABLES[key];
  const replicas = values.replicas === undefined || values.replicas === '' ? 1 : Number(values.replicas);
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > MAX_REPLICAS)
    throw new Error(
      `${name('replicas')} must be an integer from 1 to ${MAX_REPLICAS}, got "${values.replicas}"`,
    );
  const kafkaNodes =
    values.kafkaNodes === undefined || values.kafkaNodes === '' ? 1 : Number(values.kafkaNodes);
  if (!(KAFKA_NODE_COUNTS as readonly number[]).includes(kafkaNodes))
    throw new Error(
      `${name('kafkaNodes')} must be ${KAFKA_NODE_COUNTS.join(' or ')}, got "${values.kafkaNodes}"`,
    );
  return { replicas, kafkaNodes };
}

const DEV_STATE_DIR = path.join(REPO_ROOT, '.local', 'dev');
const topologyFileOf = (stateDir: string) => path.join(stateDir, 'topology.json');

/** The dev stack keeps the topology it came up with (for status, a later up) until `./dev down` forgets it. */
export function rememberTopology(profile: Profile): void {
  if (profile.name !== 'dev') return;
  const before = rememberedTopology(profile.stateDir);
  if (before && (before.replicas !== profile.replicas || before.kafkaNodes !== profile.kafka.nodes))
    throw new Error(
      `the dev stack is up with --replicas ${before.replicas} --kafka-nodes ${before.kafkaNodes}; ` +
        'run ./dev down before bringing it up with another topology',
    );
  mkdirSync(profile.stateDir, { recursive: true });
  const topology: Topology = { replicas: profile.replicas, kafkaNodes: profile.kafka.nodes };
  writeFileSync(topologyFileOf(profile.stateDir), `${JSON.stringify(topology)}\n`);
}

export function forgetTopology(profile: Profile): void {
  if (profile.name === 'dev') rmSync(topologyFileOf(profile.stateDir), { force: true });
}

function rememberedTopology(stateDir: string): Topology | undefined {
  const file = topologyFileOf(stateDir);
  if (!existsSync(file)) return undefined;
  const { replicas, kafkaNodes } = JSON.parse(readFileSync(file, 'utf8')) as Topology;
  return parseTopology({ replicas: String(replicas), kafkaNodes: String(kafkaNodes) }, 'env');
}

const topologySet = () =>
  Boolean(process.env[TOPOLOGY_VARIABLES.replicas] || process.env[TOPOLOGY_VARIABLES.kafkaNodes]);

function topologyFromEnvironment(): Topology {
  return parseTopology(
    {
      replicas: process.env[TOPOLOGY_VARIABLES.replicas],
      kafkaNodes: process.env[TOPOLOGY_VARIABLES.kafkaNodes],
    },
    'env',
  );
}

/** The block of ports a local profile takes beside dev: test slots 0-9, bench 10, chaos 20-29. */
export function portSlotOf(profile: Profile): number {
  if (profile.name === 'bench') return 10;
  if (profile.name === 'chaos') return 20 + testSlot();
  return testSlot();
}

/** `dev` keeps its data; `test` (per slot) and `bench` start from nothing every run. */
export function profileNamed(name: ProfileName): Profile {
  if (name === 'chaos') return chaosProfile(topologyFromEnvironment());
  if (name === 'dev') {
    const topology = (!topologySet() && rememberedTopology(DEV_STATE_DIR)) || topologyFromEnvironment();
    return {
      name,
      stateDir: DEV_STATE_DIR,
      replicas: topology.replicas,
      kafka: {
        host: '127.0.0.1',
        brokerPort: envPort('ONECOMMONS_KAFKA_PORT', 9_092),
        controllerPort: 9_093,
        nodes: topology.kafkaNodes,
        dataDir: path.join(REPO_ROOT, '.local', 'dev', 'kafka-data'),
        wipeOnStart: false,
      },
      postgres: postgresOf('onecommons'),
      redis: { host: '127.0.0.1', port: envPort('ONECOMMONS_REDIS_PORT', 6_379), db: 0 },
      gateway: { host: '127.0.0.1', port: envPort('ONECOMMONS_GATEWAY_PORT', 8_080) },
      servicePorts: servicePorts(3_000),
      resetData: false,
    };
  }
  const topology = topologyFromEnvironment();
  // The bench profile is test slot "10": out of the way of every test slot.
  const slot = name === 'bench' ? 10 : testSlot();
  const label = name === 'bench' ? 'bench' : slot > 0 ? `test-${slot}` : 'test';
  const stateDir = path.join(REPO_ROOT, '.local', label);
  return {
    name,
    stateDir,
    replicas: topology.replicas,
    kafka: {
      host: '127.0.0.1',
      brokerPort: 19_092 + 100 * slot,
      controllerPort: 19_093 + 100 * slot,
      nodes: topology.kafkaNodes,
      dataDir: path.join(stateDir, 'kafka-data'),
      wipeOnStart: true,
    },
    postgres: postgresOf(`onecommons_${label.replace('-', '_')}`),
    redis: { host: '127.0.0.1', port: envPort('ONECOMMONS_REDIS_PORT', 6_379), db: 1 + slot },
    gateway: { host: '127.0.0.1', port: 18_080 + slot },
    servicePorts: servicePorts(3_100 + 100 * slot),
    resetData: true,
  };
}

function postgresOf(database: string): Profile['postgres'] {
  return { host: '127.0.0.1', port: envPort('ONECOMMONS_POSTGRES_PORT', 5_432), user: 'postgres', database };
}

/** Where `./dev` writes each service's environment file. */
export const envDirOf = (profile: Profile) => path.join(profile.stateDir, 'env');

/** Node i of the profile's Kafka: its broker and controller ports and its own log directory. */
export function kafkaNode(
  profile: Profile,
  node: number,
): { brokerPort: number; controllerPort: number; dataDir: string } {
  const { brokerPort, controllerPort, dataDir, nodes } = profile.kafka;
  return {
    brokerPort: brokerPort + 10 * node,
    controllerPort: controllerPort + 10 * node,
    // One node keeps the directory it always had (a dev stack's existing log); a cluster's nodes live beside it.
    dataDir: nodes === 1 ? dataDir : path.join(`${dataDir}-cluster`, `node-${node}`),
  };
}

export const kafkaNodeIndexes = (profile: Profile) =>
  Array.from({ length: profile.kafka.nodes }, (_, node) => node);

/** Every node's broker address: a client finds the cluster through any one that answers. */
export const kafkaBootstrap = (profile: Profile) =>
  kafkaNodeIndexes(profile)
    .map((node) => `${profile.kafka.host}:${kafkaNode(profile, node).brokerPort}`)
    .join(',');

/** Replication the local cluster gives every topic: one node, nothing to replicate; three, 3 copies, 2 in sync. */
export function kafkaReplication(profile: Profile): { factor: number; minInsync: number } {
  return profile.kafka.nodes === 1 ? { factor: 1, minInsync: 1 } : { factor: 3, minInsync: 2 };
}

export const postgresAdminUrl = (profile: Profile) =>
  `postgres://${profile.postgres.user}@${profile.postgres.host}:${profile.postgres.port}/${profile.postgres.database}`;

export const redisUrl = (profile: Profile) =>
  `redis://${profile.redis.host}:${profile.redis.port}/${profile.redis.db}`;

export const replicaIndexes = (profile: Profile) =>
  Array.from({ length: profile.replicas }, (_, replica) => replica);

/** Replica r of a service listens 10 r above the first one's port (so at most 8 fit a profile's port block). */
export const replicaPort = (profile: Profile, service: ServiceName, replica: number) =>
  profile.servicePorts[service] + 10 * replica;

export const replicaUrl = (profile: Profile, service: ServiceName, replica: number) =>
  `http://127.0.0.1:${replicaPort(profile, service, replica)}`;

/**
 * The port where the gateway balances one service's replicas for the other services (its internal address,
 * like a Kubernetes Service): 90 above the first replica's, past the 8 replicas' ports.
 */
export const internalServicePort = (profile: Profile, service: ServiceName) =>
  profile.servicePorts[service] + 90;

/**
 * How other services and tools reach a service: its one process, or with replicas the gateway's internal
 * listener, so a killed replica takes none of the callers' requests with it.
 */
export const serviceUrl = (profile: Profile, service: ServiceName) =>
  profile.replicas === 1
    ? replicaUrl(profile, service, 0)
    : `http://127.0.0.1:${internalServicePort(profile, service)}`;

export const gatewayUrl = (profile: Profile) => `http://${profile.gateway.host}:${profile.gateway.port}`;

/** The runtime role of a service: it owns nothing and may touch only its own schema's rows. */
export function serviceDatabaseUrl(profile: Profile, service: ServiceName): string {
  const { host, port, database } = profile.postgres;
  return `postgres://oc_${service}:oc_${service}_local@${host}:${port}/${database}`;
}

/**
 * A random secret of this profile, made on first use and kept in `.local/<profile>/secrets/` (git-ignored),
 * so data sealed with it (identity's signing keys) stays readable across restarts.
 */
export function profileSecret(profile: Profile, name: string): string {
  const file = path.join(profile.stateDir, 'secrets', name);
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  }
  return readFileSync(file, 'utf8').trim();
}

/** Variables only one service reads. */
function ownEnvironment(profile: Profile, service: ServiceName): Record<string, string> {
  if (service === 'identity')
    return {
      IDENTITY_KEY_ENCRYPTION_KEY: profileSecret(profile, 'identity-key-encryption-key'),
      PUBLIC_URL: gatewayUrl(profile),
      // `commons demo seed` and the e2e tests become the first admin with it.
      IDENTITY_ADMIN_BOOTSTRAP_TOKEN: profileSecret(profile, 'identity-admin-bootstrap-token'),
      // Locally every client is 127.0.0.1: the seed and the tests register and log in dozens of accounts.
      REGISTRATION_RATE_LIMIT_PER_MINUTE: '10000',
      LOGIN_ADDRESS_RATE_LIMIT_PER_MINUTE: '10000',
      // The test stack keeps a per-account bound the abuse tests can reach (tests/e2e/abuse-identity): one
      // account's logins from any number of addresses; accounts are fresh per test, so 300 is plenty.
      LOGIN_ACCOUNT_RATE_LIMIT_PER_HOUR: profile.name === 'test' ? '300' : '100000',
      // The same for reset requests and emailed links; the per-email reset limit keeps its default (5 an hour).
      PASSWORD_RESET_ADDRESS_RATE_LIMIT_PER_HOUR: '100000',
      ACCOUNT_LINK_RATE_LIMIT_PER_MINUTE: '100000',
      ...identityStripeEnvironment(profile),
      ...identityMailEnvironment(profile),
    };
  if (service === 'webhooks')
    return {
      WEBHOOKS_SECRET_ENCRYPTION_KEY: profileSecret(profile, 'webhooks-secret-encryption-key'),
      // Local receivers listen on 127.0.0.1; a deployment keeps the SSRF guard (the default).
      WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true',
    };
  if (service === 'provisioner') return provisionerEnvironment(profile);
  if (service === 'payouts')
    return {
      PAYOUTS_ACCOUNT_ENCRYPTION_KEY: profileSecret(profile, 'payouts-account-encryption-key'),
      // Stripe sends payees back from onboarding to payouts' pages through the gateway.
      PUBLIC_URL: gatewayUrl(profile),
      ...payoutsStripeEnvironment(profile),
    };
  return {};
}

/**
 * Metering's late-event grace, given to metering and to the ledger alike: the ledger refuses to boot with a
 * scheduled close (LEDGER_CLOSE_GRACE_MINUTES) earlier than metering stops taking a period's late usage.
 */
const LATE_USAGE_GRACE = { METERING_LATE_EVENT_GRACE_MINUTES: '60' } as const;

/**
 * A service's connection pool (10 by default) shared out over its replicas, so the stack holds about as many
 * Postgres connections with replicas as without: the machine's server allows 100, and test slots share it.
 */
const replicaPoolSize = (profile: Profile) => Math.max(4, Math.ceil(10 / profile.replicas));

/** `KAFKA_SASL_*` and `KAFKA_TLS*` of this shell, for services to reach a broker that `./dev` did not start. */
function kafkaSecurityEnvironment(): Record<string, string> {
  return Object.fromEntries(
    Object.keys(kafkaSecurityConfigShape).flatMap((name) => {
      const value = process.env[name];
      return value === undefined || value === '' ? [] : [[name, value]];
    }),
  );
}

/** The environment a service process gets from `./dev`. */
export function serviceEnvironment(profile: Profile, service: ServiceName): Record<string, string> {
  return {
    ...ownEnvironment(profile, service),
    ...(service === 'metering' || service === 'ledger' ? LATE_USAGE_GRACE : {}),
    // Every service holds it: identity's `/internal/` endpoints answer only callers that present it.
    INTERNAL_API_TOKEN: profileSecret(profile, 'internal-api-token'),
    AUTH_JWKS_URL: `${serviceUrl(profile, 'identity')}/api/identity/v1/.well-known/jwks.json`,
    AUTH_API_KEY_INTROSPECTION_URL: `${serviceUrl(profile, 'identity')}/api/identity/v1/internal/api-keys/introspect`,
    AUTH_ACCESS_URL: `${serviceUrl(profile, 'identity')}/api/identity/v1/internal/access`,
    NODE_ENV: profile.name === 'dev' ? 'development' : 'test',
    LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'info',
    HTTP_PORT: String(replicaPort(profile, service, 0)),
    DATABASE_URL: serviceDatabaseUrl(profile, service),
    MIGRATIONS_DATABASE_URL: postgresAdminUrl(profile),
    REDIS_URL: redisUrl(profile),
    KAFKA_BROKERS: kafkaBootstrap(profile),
    ...kafkaSecurityEnvironment(),
    // What `./dev` created the topics with, so a topic a service creates on its own matches them.
    KAFKA_TOPIC_REPLICATION_FACTOR: String(kafkaReplication(profile).factor),
    KAFKA_TOPIC_MIN_INSYNC_REPLICAS: String(kafkaReplication(profile).minInsync),
    ...(profile.name !== 'dev' ? { KAFKA_TOPIC_PARTITIONS: '3', OUTBOX_POLL_INTERVAL_MS: '200' } : {}),
    ...(profile.name === 'chaos' ? CHAOS_SERVICE_ENVIRONMENT : {}),
    ...(profile.replicas > 1 ? { DATABASE_POOL_SIZE: String(replicaPoolSize(profile)) } : {}),
    ...traceCollectorEnvironment(profile),
  };
}

/** What tests read to find the stack (`ONECOMMONS_TEST_STACK`): addresses only, no process handles. */
export type StackDescription = TestStack;

export function describeStack(profile: Profile): StackDescription {
  return {
    profile: profile.name,
    kafkaBrokers: kafkaBootstrap(profile),
    topology: { replicas: profile.replicas, kafkaNodes: profile.kafka.nodes },
    postgresAdminUrl: postgresAdminUrl(profile),
    redisUrl: redisUrl(profile),
    gatewayUrl: gatewayUrl(profile),
    mailInboxUrl: mailInboxUrl(profile),
    envDir: envDirOf(profile),
    services: Object.fromEntries(
      SERVICE_NAMES.map((service) => [
        service,
        {
          url: serviceUrl(profile, service),
          databaseUrl: serviceDatabaseUrl(profile, service),
          replicaUrls: replicaIndexes(profile).map((replica) => replicaUrl(profile, service, replica)),
        },
      ]),
    ),
    ...(traceCollectorUrl(profile) ? { traceCollectorUrl: traceCollectorUrl(profile) } : {}),
  };
}
