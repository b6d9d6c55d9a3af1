import { Module } from '@nestjs/common';
import { PeriodClosesRepository } from './period-closes.repository.js';

/**
 * The recorded closes (period_closes), on their own: what arrives for a closed period (a payment, a refund, an
 * adjustment) asks whether its period is closed, and the treasury and reversals cannot import PeriodsModule,
 * which imports them.
 */
@Module({
  providers: [PeriodClosesRepository],
  exports: [PeriodClosesRepository],
})
export class PeriodClosesModule {}
