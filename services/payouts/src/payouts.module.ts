import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { AfterCommit } from '@onecommons/service-kit';
import { PayableAdjustments } from './balances/payable-adjustments.js';
import { BalancesRepository } from './balances/balances.repository.js';
import { PayableCredits } from './balances/payable-credits.js';
import { BatchesRepository } from './batches/batches.repository.js';
import { PayoutBatches } from './batches/payout-batches.js';
import { PayoutMetrics } from './execution/payout-metrics.js';
import { PayoutOperations } from './execution/payout-operations.js';
import { PAYOUT_QUEUE, PayoutQueue } from './execution/payout-queue.js';
import { PayoutRunner } from './execution/payout-runner.js';
import { PayoutSweeper } from './execution/payout-sweeper.js';
import { PayoutTransitions } from './execution/payout-transitions.js';
import { PayoutWorker } from './execution/payout-worker.js';
import { PayoutsRepository } from './execution/payouts.repository.js';
import { PayoutBatchesController, PayoutsController } from './execution/payouts.controller.js';
import { RailReversalSync } from './execution/rail-reversal-sync.js';
import { stripeOnboardingProvider, stripeRailProvider } from './execution/stripe-rail.provider.js';
import { ConnectAccountSync } from './onboarding/connect-account-sync.js';
import { ConnectAccountsRepository } from './onboarding/connect-accounts.repository.js';
import { OnboardingPagesController } from './onboarding/onboarding-pages.controller.js';
import { OnboardingSessions } from './onboarding/onboarding-sessions.js';
import { PayeeOnboarding } from './onboarding/payee-onboarding.js';
import { StripeConnectEvents } from './onboarding/stripe-connect-events.js';
import { StripeWebhookController } from './onboarding/stripe-webhook.controller.js';
import { PayeesController } from './payees/payees.controller.js';
import { PayeesRepository } from './payees/payees.repository.js';
import { PayeesService } from './payees/payees.service.js';
import { PayoutAccountSealer } from './payees/payout-account-sealer.js';
import { PayeeStatements } from './statements/payee-statements.js';

@Module({
  imports: [BullModule.registerQueue({ name: PAYOUT_QUEUE })],
  controllers: [
    PayeesController,
    PayoutsController,
    PayoutBatchesController,
    OnboardingPagesController,
    StripeWebhookController,
  ],
  providers: [
    AfterCommit,
    stripeRailProvider,
    stripeOnboardingProvider,
    PayoutAccountSealer,
    PayoutMetrics,
    PayeesRepository,
    BalancesRepository,
    PayableCredits,
    PayableAdjustments,
    PayoutsRepository,
    PayoutTransitions,
    PayoutQueue,
    BatchesRepository,
    PayoutBatches,
    PayoutRunner,
    PayoutWorker,
    PayoutSweeper,
    RailReversalSync,
    PayoutOperations,
    PayeesService,
    PayeeStatements,
    ConnectAccountsRepository,
    ConnectAccountSync,
    OnboardingSessions,
    PayeeOnboarding,
    StripeConnectEvents,
  ],
})
export class PayoutsModule {}
