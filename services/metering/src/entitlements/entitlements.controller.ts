import { Controller, Get, Param, Query } from '@nestjs/common';
import { RequireSelfOrApiKey } from '@onecommons/auth';
import { periodSchema } from '@onecommons/contracts';
import { UuidParamPipe } from '@onecommons/service-kit';
import { z } from 'zod';
import { Entitlements, type EntitlementsDto } from './entitlements.service.js';

const entitlementQuerySchema = z.strictObject({ period: periodSchema.optional() });

@Controller('v1/entitlements')
export class EntitlementsController {
  constructor(private readonly entitlements: Entitlements) {}

  /** The subscriber's own (or an admin), or a service deciding what to offer them (its metering key). */
  @Get(':subscriber')
  @RequireSelfOrApiKey('subscriber', 'metering:write')
  of(
    @Param('subscriber', UuidParamPipe) subscriber: string,
    @Query({ schema: entitlementQuerySchema }) query: z.output<typeof entitlementQuerySchema>,
  ): Promise<EntitlementsDto> {
    return this.entitlements.of(subscriber, query.period);
  }
}
