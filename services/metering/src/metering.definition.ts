import { BackboneTables1763900000000 } from '@onecommons/kafka';
import { defineService } from '@onecommons/service-kit';
import { meteringConfigSchema } from './config.js';
import { Subscribers1763900001000 } from './migrations/1763900001000-subscribers.js';
import { SubscribersModule } from './subscribers/subscribers.module.js';

/** Metering: usage ingestion, exactly-once counting, per-period aggregates and free-tier quotas. */
export const meteringService = defineService({
  service: 'metering',
  configSchema: meteringConfigSchema,
  entities: [],
  migrations: [BackboneTables1763900000000, Subscribers1763900001000],
  features: () => [SubscribersModule],
  projections: [{ table: 'subscribers', key: ['subscriber_id'] }],
});
