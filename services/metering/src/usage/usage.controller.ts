import { Controller, Get, Query } from '@nestjs/common';
import { Authenticated, CurrentPrincipal, type Principal } from '@onecommons/auth';
import { periodOf, periodSchema } from '@onecommons/contracts';
import { z } from 'zod';
import { type UsageItemDto, UsageService } from './usage.service.js';

const usageQuerySchema = z.strictObject({
  subscriber: z.uuid({ error: 'must be a subscriber id' }),
  period: periodSchema.default(() => periodOf(new Date())),
  service: z.uuid({ error: 'must be a service id' }).optional(),
});

@Controller('v1/usage')
export class UsageController {
  constructor(private readonly usage: UsageService) {}

  @Get()
  @Authenticated()
  async get(
    @CurrentPrincipal() principal: Principal,
    @Query({ schema: usageQuerySchema }) query: z.output<typeof usageQuerySchema>,
  ): Promise<{ items: UsageItemDto[] }> {
    return { items: await this.usage.usage(principal, query.subscriber, query.period, query.service) };
  }
}
