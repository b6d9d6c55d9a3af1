import { AUTH_ERROR_CODES, AuthModule, remoteAuthSetup } from '@onecommons/auth';
import { BACKBONE_MIGRATIONS } from '@onecommons/kafka';
import { defineService, SERVICE_CONFIG } from '@onecommons/service-kit';
import { type WebhooksConfig, webhooksConfigSchema } from './config.js';
import { WEBHOOKS_ERROR_CODES } from './webhooks-errors.js';
import { Webhooks1763900001000 } from './migrations/1763900001000-webhooks.js';
import { WebhooksModule } from './webhooks.module.js';

const webhooksAuth = AuthModule.forRoot({
  inject: [SERVICE_CONFIG],
  useFactory: (config: WebhooksConfig) => remoteAuthSetup(config),
});

/**
 * Webhooks: partner endpoints and signed webhook delivery. Delivery state is not a projection (it
 * records what was sent to whom), so a replay rebuilds nothing here and sends nothing.
 */
export const webhooksService = defineService({
  service: 'webhooks',
  configSchema: webhooksConfigSchema,
  entities: [],
  migrations: [...BACKBONE_MIGRATIONS, Webhooks1763900001000],
  features: () => [webhooksAuth, WebhooksModule],
  errorCodes: [...AUTH_ERROR_CODES, ...WEBHOOKS_ERROR_CODES],
  projections: [],
});
