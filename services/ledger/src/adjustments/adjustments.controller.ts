import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CurrentPrincipal, type Principal, RequirePlatformRole } from '@onecommons/auth';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { periodParam } from '../periods/period-param.js';
import {
  adjustmentDto,
  type AdjustmentDto,
  adjustmentReasonSchema,
  adjustOutcomeDto,
  type AdjustOutcomeDto,
} from './adjustment-views.js';
import { PeriodAdjuster } from './period-adjuster.js';
import { PeriodAdjustmentsRepository } from './period-adjustments.repository.js';

const adjustSchema = z.strictObject({ reason: adjustmentReasonSchema });

/** Adjustments of closed periods (admins): make one from the corrections waiting, list them in full. */
@Controller('v1/periods')
export class AdjustmentsController {
  constructor(
    private readonly adjuster: PeriodAdjuster,
    private readonly adjustments: PeriodAdjustmentsRepository,
    private readonly dataSource: DataSource,
  ) {}

  /**
   * Applies every correction waiting for the closed period and posts the difference in the current period. With
   * none waiting (or asked twice, or at once) it posts nothing and answers the latest adjustment.
   */
  @Post(':period/adjustments')
  @HttpCode(200)
  @RequirePlatformRole('admin')
  async adjust(
    @CurrentPrincipal() principal: Principal,
    @Param('period') raw: string,
    @Body({ schema: adjustSchema }) body: z.output<typeof adjustSchema>,
  ): Promise<AdjustOutcomeDto> {
    const period = periodParam(raw);
    const result = await this.adjuster.adjust(period, { reason: body.reason, adjustedBy: principal.subject });
    return adjustOutcomeDto(period, result);
  }

  @Get(':period/adjustments')
  @RequirePlatformRole('admin')
  async list(
    @Param('period') raw: string,
  ): Promise<{ period: string; pendingCorrections: number; adjustments: AdjustmentDto[] }> {
    const period = periodParam(raw);
    const manager = this.dataSource.manager;
    return {
      period,
      pendingCorrections: await this.adjustments.pendingCount(manager, period),
      adjustments: (await this.adjustments.list(manager, period)).map(adjustmentDto),
    };
  }
}
