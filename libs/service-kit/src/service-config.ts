import { isIP } from 'node:net';
import { enumVar, integerVar, portVar, urlVar } from '@onecommons/config';
import { checkKafkaConfig, kafkaConfigShape } from '@onecommons/kafka';
import { databaseConfigShape } from '@onecommons/persistence';
import { z } from 'zod';
import { bullmqPrefixVar } from './jobs/bullmq-prefix.js';

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** An address, or a CIDR range whose prefix fits its family. */
function isAddressOrRange(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

/** A list of addresses, CIDRs and `trust proxy` names, or `none`. */
function trustedProxiesVar() {
  return z
    .string()
    .default('loopback')
    .transform((value) =>
      value
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== '' && entry !== 'none'),
    )
    .refine((entries) => entries.every((entry) => PROXY_NAMES.includes(entry) || isAddressOrRange(entry)), {
      error: `must be none or a comma-separated list of ${PROXY_NAMES.join(', ')}, addresses or CIDRs`,
    });
}

/** Variables every service reads. A service adds its own with `defineServiceConfig`. */
export const serviceConfigShape = {
  NODE_ENV: enumVar(['development', 'test', 'production'], 'development').meta({
    description:
      'The kind of environment: `./dev` sets `development` on the dev stack, `test` on the others.',
  }),
  LOG_LEVEL: enumVar(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info').meta({
    description: 'The least severe level logged; `silent` logs nothing.',
  }),
  HTTP_HOST: z
    .string()
    .min(1)
    .default('127.0.0.1')
    .meta({ description: 'The address the HTTP server listens on (`0.0.0.0`: every interface).' }),
  HTTP_PORT: portVar().meta({
    description: 'The port the HTTP server listens on (`./dev` gives each service its own, from 3001).',
    examples: ['3001'],
  }),
  HTTP_TRUSTED_PROXIES: trustedProxiesVar().meta({
    description:
      "Express's `trust proxy`: whose `X-Forwarded-For` is believed for the client address (and so for rate " +
      'limits). Comma-separated names (loopback, linklocal, uniquelocal), addresses or CIDRs; `none` for nobody.',
  }),
  HTTP_PRINCIPAL_RATE_LIMIT_PER_MINUTE: integerVar({ min: 1, max: 10_000_000, default: 6_000 }).meta({
    description:
      'Requests one account or API key may make to this service per minute, from any number of addresses (the ' +
      'gateway limits each address: GATEWAY_RATE_LIMIT). Anonymous requests are not counted here.',
  }),
  HTTP_BODY_LIMIT_BYTES: integerVar({ min: 1_024, max: 16 * 1024 * 1024, default: 1024 * 1024 }).meta({
    description: 'The largest request body accepted; a larger one is refused with 413.',
  }),
  LEADER_LEASE_RETRY_MS: integerVar({ min: 100, max: 60_000, default: 2_000 }).meta({
    description:
      "How often a replica tries to become its service's leader (which alone runs once-only work: sweepers, " +
      'read-backs, schedule repair), and the leader proves it still is: a killed leader is replaced within this.',
  }),
  JOB_SCHEDULE_CHECK_INTERVAL_MS: integerVar({ min: 100, max: 3_600_000, default: 60_000 }).meta({
    description:
      'How often the leader puts back job schedules that Redis lost (a flush, a restart without ' +
      'persistence).',
  }),
  SHUTDOWN_TIMEOUT_MS: integerVar({ min: 100, max: 120_000, default: 10_000 }).meta({
    description:
      'How long a stopping service (SIGTERM, SIGINT) waits for its work to finish before it exits anyway.',
  }),
  REDIS_URL: urlVar(['redis', 'rediss']).meta({
    description:
      'The Redis of the job queues (BullMQ), rate limits and API-key revocations; `rediss:` for TLS.',
    examples: ['redis://127.0.0.1:6379/0'],
  }),
  // See bullmq-prefix.ts for why one hash tag.
  BULLMQ_PREFIX: bullmqPrefixVar()
    .optional()
    .meta({
      description:
        'The prefix of every BullMQ key: one Redis Cluster hash tag, e.g. `{onecommons:ledger}`. Unset: ' +
        '`{onecommons:<schema>}`.',
    }),
  OTEL_EXPORTER_OTLP_ENDPOINT: urlVar(['http', 'https'])
    .optional()
    .meta({
      description:
        'Where traces are exported (OTLP over HTTP, `/v1/traces` is appended). Unset: trace ids are still made ' +
        'and propagated, and logged, but no span is exported.',
    }),
  KAFKA_CONSUMER_GROUP: z
    .string()
    .regex(/^[a-z][a-z0-9._-]*$/)
    .optional()
    .meta({ description: "The service's Kafka consumer group. Unset: the service's name." }),
  ...databaseConfigShape,
  ...kafkaConfigShape,
};

const baseServiceConfigObject = z.object(serviceConfigShape);

/** TypeScript cannot see through a generic `Extra` that every service config holds the Kafka variables. */
function checkServiceKafkaConfig(env: object, context: z.RefinementCtx): void {
  checkKafkaConfig(env as z.output<typeof baseServiceConfigObject>, context);
}

export function defineServiceConfig<Extra extends z.ZodRawShape>(extra: Extra) {
  return z.object({ ...serviceConfigShape, ...extra }).superRefine(checkServiceKafkaConfig);
}

export const baseServiceConfigSchema = baseServiceConfigObject.superRefine(checkKafkaConfig);
export type ServiceConfig = z.output<typeof baseServiceConfigSchema>;
