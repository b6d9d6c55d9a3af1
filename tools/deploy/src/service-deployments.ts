import { SERVICE_NAMES, type ServiceName } from '@onecommons/contracts';

/** A variable a service reads from its Secret; optional ones may be left out of the Secret. */
export interface SecretVariable {
  readonly name: string;
  readonly optional?: boolean;
}

/** CPU in millicores, memory in MiB. */
export interface ContainerSize {
  readonly cpuRequestMillis: number;
  readonly cpuLimitMillis: number;
  readonly memoryRequestMiB: number;
  readonly memoryLimitMiB: number;
}

/** What a service needs from Kubernetes beyond what every service gets. */
export interface ServiceDeployment {
  readonly service: ServiceName;
  readonly httpPort: number;
  /** Variables from the service's Secret besides DATABASE_URL and the shared INTERNAL_API_TOKEN. */
  readonly secrets: readonly SecretVariable[];
  /** Calls out of the cluster over HTTPS (Stripe, cloud APIs, partners' webhook endpoints). */
  readonly reachesInternet: boolean;
  readonly size: ContainerSize;
  /** The service's own non-secret settings (its ConfigMap); the platform's shared ones are elsewhere. */
  readonly config: Readonly<Record<string, string>>;
}

/**
 * Requests: the CPU and the peak resident memory each service had under the ingest bench (`flock
 * /tmp/bench.lock ./dev bench ingest --seconds 60`, 2026-12-03, one process per service, sampled from /proc;
 * docs/deploy/kubernetes.md, "Sizing"), rounded up. Limits leave a core for bursts and twice the memory for
 * Node's heap to grow before the collector catches up. Metering is the hot path: its request is what it used
 * when the whole stack ran at 20,000 events/s (docs/benchmarks.md, ingest, 2026-11-25: 53% of a core).
 */
const size = (cpuRequestMillis: number, memoryRequestMiB: number, cpuLimitMillis = 1000): ContainerSize => ({
  cpuRequestMillis,
  cpuLimitMillis,
  memoryRequestMiB,
  memoryLimitMiB: 2 * memoryRequestMiB,
});

const SIZES: Readonly<Record<ServiceName, ContainerSize>> = {
  identity: size(100, 384),
  catalog: size(100, 320),
  metering: size(500, 512, 2000),
  ledger: size(100, 320),
  payouts: size(100, 320),
  provisioner: size(100, 320),
  webhooks: size(100, 320),
};

const SECRETS: Readonly<Record<ServiceName, readonly SecretVariable[]>> = {
  identity: [
    { name: 'IDENTITY_KEY_ENCRYPTION_KEY' },
    // Unset, billing is off (subscribing answers 503) and nobody can make themselves admin.
    { name: 'STRIPE_SECRET_KEY', optional: true },
    { name: 'STRIPE_WEBHOOK_SECRET', optional: true },
    { name: 'IDENTITY_ADMIN_BOOTSTRAP_TOKEN', optional: true },
    // The mail server's URL carries its credentials (smtp://user:password@host:587).
    { name: 'SMTP_URL' },
  ],
  catalog: [],
  metering: [],
  ledger: [],
  payouts: [
    { name: 'PAYOUTS_ACCOUNT_ENCRYPTION_KEY' },
    { name: 'STRIPE_SECRET_KEY' },
    // The signing secret of the platform's Connect webhook endpoint at Stripe (account.updated).
    { name: 'STRIPE_CONNECT_WEBHOOK_SECRET' },
  ],
  provisioner: [{ name: 'PROVISIONER_CREDENTIALS_KEY' }],
  webhooks: [{ name: 'WEBHOOKS_SECRET_ENCRYPTION_KEY' }],
};

/**
 * Connections per replica: Postgres's max_connections (deploy/kubernetes/base/postgres) must hold every
 * replica's pool at the HPA's maximum, plus migrations and the relay's lock connections.
 */
const POOL_SIZES: Readonly<Record<ServiceName, number>> = {
  identity: 10,
  catalog: 5,
  metering: 10,
  ledger: 10,
  payouts: 5,
  provisioner: 5,
  webhooks: 5,
};

const SERVICE_SETTINGS: Readonly<Partial<Record<ServiceName, Readonly<Record<string, string>>>>> = {
  identity: { MAIL_FROM: 'OneCommons <no-reply@onecommons.org>' },
  provisioner: {
    PROVISIONER_ALLOWED_API_BASE_URLS: 'https://api.hetzner.cloud/v1,https://api.digitalocean.com',
  },
  // The SSRF guard stays on: partners' endpoints are reached at public addresses only.
  webhooks: { WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'false' },
};

const REACHES_INTERNET: ReadonlySet<ServiceName> = new Set([
  'identity',
  'payouts',
  'provisioner',
  'webhooks',
]);

/** Ports as in docker-compose.yml and the local stack: 3001 for the first service, in catalogue order. */
export const SERVICE_DEPLOYMENTS: readonly ServiceDeployment[] = SERVICE_NAMES.map((service, index) => ({
  service,
  httpPort: 3001 + index,
  secrets: SECRETS[service],
  reachesInternet: REACHES_INTERNET.has(service),
  size: SIZES[service],
  config: { DATABASE_POOL_SIZE: String(POOL_SIZES[service]), ...SERVICE_SETTINGS[service] },
}));

/** The Secret a service's variables come from (documented in docs/deploy/kubernetes.md). */
export const serviceSecretName = (service: ServiceName) => `onecommons-${service}`;
export const INTERNAL_API_SECRET = 'onecommons-internal';
/** Every service's non-secret settings; each service adds its own `<service>-config`. */
export const PLATFORM_CONFIG = 'onecommons-platform';
export const serviceConfigName = (service: ServiceName) => `${service}-config`;
