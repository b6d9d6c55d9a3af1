import { Module } from '@nestjs/common';
import { DeploymentsController } from './deployments/deployments.controller.js';
import { DeploymentsRepository } from './deployments/deployments.repository.js';
import { DeploymentsService } from './deployments/deployments.service.js';
import { TeardownRequests } from './deployments/teardown-requests.js';
import { KnownServicesProjection } from './known-services/known-services.projection.js';
import { KnownServicesRepository } from './known-services/known-services.repository.js';
import { ProviderAccountsController } from './provider-accounts/provider-accounts.controller.js';
import { ProviderAccountsRepository } from './provider-accounts/provider-accounts.repository.js';
import { ProviderAccountsService } from './provider-accounts/provider-accounts.service.js';
import { ProviderClients } from './providers/provider-clients.js';
import { RateBudgetsRepository } from './providers/rate-budgets.repository.js';
import { DeploymentStatusWriter } from './reconcile/deployment-status-writer.js';
import { OperationLog } from './reconcile/operation-log.js';
import { ProviderFailureHandler } from './reconcile/provider-failures.js';
import { ProviderOperationsRepository } from './reconcile/provider-operations.repository.js';
import { ReconcileLoop } from './reconcile/reconcile-loop.js';
import { Reconciler } from './reconcile/reconciler.js';
import { ResourceUsageReporter } from './usage/resource-usage-reporter.js';
import { ResourceUsageRepository } from './usage/resource-usage.repository.js';

@Module({
  controllers: [ProviderAccountsController, DeploymentsController],
  providers: [
    KnownServicesRepository,
    ProviderAccountsRepository,
    RateBudgetsRepository,
    DeploymentsRepository,
    ProviderOperationsRepository,
    ResourceUsageRepository,
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
