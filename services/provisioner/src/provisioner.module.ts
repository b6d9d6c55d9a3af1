import { Module } from '@nestjs/common';
import { DeploymentsController } from './deployments/deployments.controller.js';
import { DeploymentsService } from './deployments/deployments.service.js';
import { TeardownRequests } from './deployments/teardown-requests.js';
import { KnownServicesProjection } from './known-services/known-services.projection.js';
import { ProviderAccountsController } from './provider-accounts/provider-accounts.controller.js';
import { ProviderAccountsService } from './provider-accounts/provider-accounts.service.js';
import { ProviderClients } from './providers/provider-clients.js';
import { DeploymentStatusWriter } from './reconcile/deployment-status-writer.js';
import { OperationLog } from './reconcile/operation-log.js';
import { ProviderFailureHandler } from './reconcile/provider-failures.js';
import { ReconcileLoop } from './reconcile/reconcile-loop.js';
import { Reconciler } from './reconcile/reconciler.js';
import { ResourceUsageReporter } from './usage/resource-usage-reporter.js';

@Module({
  controllers: [ProviderAccountsController, DeploymentsController],
  providers: [
    KnownServicesProjection,
    ProviderAccountsService,
    ProviderClients,
    DeploymentStatusWriter,
    OperationLog,
    TeardownRequests,
    DeploymentsService,
    ProviderFailureHandler,
    Reconciler,
    ReconcileLoop,
    ResourceUsageReporter,
  ],
})
export class ProvisionerModule {}
