import { AUTH_ERROR_CODES, AuthModule, remoteAuthSetup } from '@onecommons/auth';
import { BACKBONE_MIGRATIONS } from '@onecommons/kafka';
import { defineService, SERVICE_CONFIG } from '@onecommons/service-kit';
import { type ProvisionerConfig, provisionerConfigSchema } from './config.js';
import { PROVISIONER_ERROR_CODES } from './provisioner-errors.js';
import { Provisioner1763900001000 } from './migrations/1763900001000-provisioner.js';
import { DeploymentApps1766300000000 } from './migrations/1766300000000-deployment-apps.js';
import { DeploymentClaims1765600000000 } from './migrations/1765600000000-deployment-claims.js';
import { ProvisionerModule } from './provisioner.module.js';

const provisionerAuth = AuthModule.forRoot({
  inject: [SERVICE_CONFIG],
  useFactory: (config: ProvisionerConfig) => remoteAuthSetup(config),
});

/** Provisioner: provider accounts, deployments of services onto them, the reconcile loop and resource usage. */
export const provisionerService = defineService({
  service: 'provisioner',
  configSchema: provisionerConfigSchema,
  entities: [],
  migrations: [
    ...BACKBONE_MIGRATIONS,
    Provisioner1763900001000,
    DeploymentClaims1765600000000,
    DeploymentApps1766300000000,
  ],
  features: () => [provisionerAuth, ProvisionerModule],
  errorCodes: [...AUTH_ERROR_CODES, ...PROVISIONER_ERROR_CODES],
  // Only catalog's services are rebuilt from events; deployments, intents and uptime are the provisioner's own
  // records (of what it asked clouds to do), not projections.
  projections: [{ table: 'known_services', key: ['service_id'] }],
});
