import { Module } from '@nestjs/common';
import { PeriodAdjustmentsRepository } from '../adjustments/period-adjustments.repository.js';
import { PeriodsModule } from '../periods/periods.module.js';
import { PeriodTransparencyReader } from './period-transparency-reader.js';
import { TransparencyController } from './transparency.controller.js';
import { TransparencyRepository } from './transparency.repository.js';

/** The public transparency pages of closed periods (docs/transparency.md). */
@Module({
  imports: [PeriodsModule],
  controllers: [TransparencyController],
  providers: [PeriodTransparencyReader, TransparencyRepository, PeriodAdjustmentsRepository],
})
export class TransparencyModule {}
