import { AUTH_ERROR_CODES, AuthModule, remoteAuthSetup } from '@onecommons/auth';
import { BACKBONE_MIGRATIONS } from '@onecommons/kafka';
import { defineService, REDIS_CLIENT, SERVICE_CONFIG } from '@onecommons/service-kit';
import { type Redis } from 'ioredis';
import { type MeteringConfig, meteringConfigSchema } from './config.js';
import { METERING_ERROR_CODES } from './metering-errors.js';
import { MeteringModule } from './metering.module.js';
import { Subscribers1763900001000 } from './migrations/1763900001000-subscribers.js';
import { Usage1763900002000 } from './migrations/1763900002000-usage.js';
import { Quotas1763900003000 } from './migrations/1763900003000-quotas.js';
import { Corrections1763900004000 } from './migrations/1763900004000-corrections.js';
import { ServiceEventIdentity1763900005000 } from './migrations/1763900005000-service-event-identity.js';
import { MeterBounds1763900006000 } from './migrations/1763900006000-meter-bounds.js';
import { PeriodSeals1765000000000 } from './migrations/1765000000000-period-seals.js';
import { EventDigest1765400000000 } from './migrations/1765400000000-event-digest.js';
import { AggregatesByKeyOnly1765500000000 } from './migrations/1765500000000-aggregates-by-key-only.js';
import { UsageByPeriod1765600000000 } from './migrations/1765600000000-usage-by-period.js';
import { SubscribersModule } from './subscribers/subscribers.module.js';

/** Ingest is the platform's hot path: its API keys' answers are cached (a revocation still stops a key at once). */
const meteringAuth = AuthModule.forRoot({
  inject: [SERVICE_CONFIG, REDIS_CLIENT],
  useFactory: (config: MeteringConfig, redis: Redis) => remoteAuthSetup(config, redis),
});

/**
 * Metering: usage ingestion, exactly-once counting, per-period aggregates, their watermarks and seals, and
 * free-tier quotas.
 */
export const meteringService = defineService({
  service: 'metering',
  configSchema: meteringConfigSchema,
  entities: [],
  migrations: [
    ...BACKBONE_MIGRATIONS,
    Subscribers1763900001000,
    Usage1763900002000,
    Quotas1763900003000,
    Corrections1763900004000,
    ServiceEventIdentity1763900005000,
    MeterBounds1763900006000,
    PeriodSeals1765000000000,
    EventDigest1765400000000,
    AggregatesByKeyOnly1765500000000,
    UsageByPeriod1765600000000,
  ],
  features: () => [meteringAuth, SubscribersModule, MeteringModule],
  errorCodes: [...AUTH_ERROR_CODES, ...METERING_ERROR_CODES],
  projections: [
    { table: 'subscribers', key: ['subscriber_id'] },
    { table: 'meters', key: ['name'] },
    { table: 'services', key: ['service_id'] },
  ],
});
