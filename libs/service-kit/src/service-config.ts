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

/**
 * Express's `trust proxy`: whose `X-Forwarded-For` is believed for the client address (and so for rate
 * limits). Comma-separated names (loopback, linklocal, uniquelocal), addresses or CIDRs; `none` for nobody.
 */
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
  NODE_ENV: enumVar(['development', 'test', 'production'], 'development'),
  LOG_LEVEL: enumVar(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
  HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  HTTP_PORT: portVar(),
  HTTP_TRUSTED_PROXIES: trustedProxiesVar(),
  /**
   * Requests one account or API key may make to this service per minute, from any number of addresses
   * (the gateway limits each address: GATEWAY_RATE_LIMIT). Anonymous requests are not counted here.
   */
  HTTP_PRINCIPAL_RATE_LIMIT_PER_MINUTE: integerVar({ min: 1, max: 10_000_000, default: 6_000 }),
  HTTP_BODY_LIMIT_BYTES: integerVar({ min: 1_024, max: 16 * 1024 * 1024, default: 1024 * 1024 }),
  /**
   * How often a replica tries to become its service's leader (which alone runs once-only work: sweepers,
   * read-backs, schedule repair), and the leader proves it still is: a killed leader is replaced within this.
   */
  LEADER_LEASE_RETRY_MS: integerVar({ min: 100, max: 60_000, default: 2_000 }),
  /** How often the leader puts back job schedules that Redis lost (a flush, a restart without persistence). */
  JOB_SCHEDULE_CHECK_INTERVAL_MS: integerVar({ min: 100, max: 3_600_000, default: 60_000 }),
  SHUTDOWN_TIMEOUT_MS: integerVar({ min: 100, max: 120_000, default: 10_000 }),
  REDIS_URL: urlVar(['redis', 'rediss']),
  /** The prefix of every BullMQ key; unset: `{onecommons:<schema>}` (see bullmq-prefix.ts). */
  BULLMQ_PREFIX: bullmqPrefixVar().optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: urlVar(['http', 'https']).optional(),
  KAFKA_CONSUMER_GROUP: z
    .string()
    .regex(/^[a-z][a-z0-9._-]*$/)
    .optional(),
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
