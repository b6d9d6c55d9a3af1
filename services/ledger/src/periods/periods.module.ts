import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { AdjustmentsController } from '../adjustments/adjustments.controller.js';
import { ClosedPeriodCorrections } from '../adjustments/closed-period-corrections.js';
import { PeriodAdjuster } from '../adjustments/period-adjuster.js';
import { PeriodAdjustmentLog } from '../adjustments/period-adjustment-log.js';
import { PeriodAdjustmentsRepository } from '../adjustments/period-adjustments.repository.js';
import { PayablesModule } from '../payables/payables.module.js';
import { ProjectionsModule } from '../projections/projections.module.js';
import { ReversalsModule } from '../reversals/reversals.module.js';
import { TreasuryModule } from '../treasury/treasury.module.js';
import { PERIOD_CLOSE_QUEUE, PeriodCloseScheduler, PeriodCloseWorker } from './period-close.scheduler.js';
import { EarningsVisibility } from './earnings-visibility.js';
import { EarningsVisibilityRepository } from './earnings-visibility.repository.js';
import { OpenPeriodsRepository } from './open-periods.repository.js';
import { PeriodCloseLog } from './period-close-log.js';
import { PeriodCloseMetrics } from './period-close-metrics.js';
import { PeriodCloseRequests } from './period-close-requests.js';
import { PeriodCloseRequestsRepository } from './period-close-requests.repository.js';
import { PeriodCloser } from './period-closer.js';
import { PeriodClosesModule } from './period-closes.module.js';
import { PeriodStatements } from './period-statements.js';
import { StatementEntriesRepository } from './statement-entries.repository.js';
import { PeriodsController, StatementsController } from './periods.controller.js';

@Module({
  imports: [
    BullModule.registerQueue({ name: PERIOD_CLOSE_QUEUE }),
    TreasuryModule,
    ProjectionsModule,
    PayablesModule,
    PeriodClosesModule,
    ReversalsModule,
  ],
  controllers: [PeriodsController, StatementsController, AdjustmentsController],
  providers: [
    EarningsVisibility,
    EarningsVisibilityRepository,
    OpenPeriodsRepository,
    PeriodCloser,
    PeriodStatements,
    StatementEntriesRepository,
    PeriodCloseScheduler,
    PeriodCloseWorker,
    PeriodCloseLog,
    PeriodCloseRequests,
    PeriodCloseRequestsRepository,
    PeriodCloseMetrics,
    // Adjustments of closed periods (src/adjustments): the corrections they apply, and their log.
    ClosedPeriodCorrections,
    PeriodAdjustmentsRepository,
    PeriodAdjuster,
    PeriodAdjustmentLog,
  ],
  exports: [PeriodCloser, PeriodAdjuster],
})
export class PeriodsModule {}
