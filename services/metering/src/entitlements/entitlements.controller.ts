import { Controller, Get, Param, Query } from '@nestjs/common';
import { type ApiKeyPrincipal, CurrentCaller, type Principal, RequireSelfOrApiKey } from '@onecommons/auth';
import { periodOf, periodSchema } from '@onecommons/contracts';
import { UuidParamPipe } from '@onecommons/service-kit';
import { z } from 'zod';
import { MeteringError } from '../metering-errors.js';
import { Entitlements, type EntitlementsDto } from './entitlements.service.js';

const entitlementQuerySchema = z.strictObject({ period: periodSchema.optional() });

@Controller('v1/entitlements')
export class EntitlementsController {
  constructor(private readonly entitlements: Entitlements) {}

  /**
   * The subscriber's own (or an admin), or a service deciding what to offer one of its users (its metering
   * key): a subscriber it reported usage for in the period or the one before. Anyone else's are a 404
   * `not_a_user_of_service`, the same whether the subscriber exists or not.
   */
  @Get(':subscriber')
  @RequireSelfOrApiKey('subscriber', 'metering:write')
  async of(
    @CurrentCaller() caller: Principal | ApiKeyPrincipal,
    @Param('subscriber', UuidParamPipe) subscriber: string,
    @Query({ schema: entitlementQuerySchema }) query: z.output<typeof entitlementQuerySchema>,
  ): Promise<EntitlementsDto> {
    const period = query.period ?? periodOf(new Date());
    if (
      caller.kind === 'api_key' &&
      !(await this.entitlements.isUserOfService(subscriber, caller.serviceId, period))
    )
      throw MeteringError.notFound(
        'not_a_user_of_service',
        "this key's service reported no usage for the subscriber in the period or the one before",
      );
    return this.entitlements.of(subscriber, period);
  }
}
