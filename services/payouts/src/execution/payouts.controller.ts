import { Body, Controller, Get, Header, HttpCode, Param, Post, Query } from '@nestjs/common';
import { Authenticated, CurrentPrincipal, type Principal, RequirePlatformRole } from '@onecommons/auth';
import { periodSchema } from '@onecommons/contracts';
import { type Page, pageQuerySchema, UuidParamPipe } from '@onecommons/service-kit';
import { z } from 'zod';
import { assertCanView, canView, parsePayee } from '../payees/payee-key.js';
import { PayoutsError } from '../payouts-errors.js';
import { type PayoutDto, payoutDto, PayoutOperations } from './payout-operations.js';

const listSchema = pageQuerySchema.extend({
  payee: z.string().max(100).optional(),
  period: periodSchema.optional(),
  state: z
    .enum(['scheduled', 'submitting', 'submitted', 'succeeded', 'failed', 'reversed'], {
      error: 'must be a payout state',
    })
    .optional(),
});

const reversalSchema = z.strictObject({
  reason: z
    .string()
    .trim()
    .min(1, { error: 'is required' })
    .max(500, { error: 'must be at most 500 characters' }),
});

const settlementSchema = z.strictObject({
  outcome: z.enum(['settled', 'rejected'], { error: 'must be settled or rejected' }),
  reason: z.string().max(500, { error: 'must be at most 500 characters' }).default(''),
});

function periodParam(value: string): string {
  if (!periodSchema.safeParse(value).success)
    throw PayoutsError.invalid('validation_failed', 'must be a period, YYYY-MM', 'period');
  return value;
}

@Controller('v1/payouts')
export class PayoutsController {
  constructor(private readonly operations: PayoutOperations) {}

  /** Payouts, newest last; a payee's own (give `payee`) or, for admins, everyone's. */
  @Get()
  @Authenticated()
  list(
    @CurrentPrincipal() principal: Principal,
    @Query({ schema: listSchema }) query: z.output<typeof listSchema>,
  ): Promise<Page<PayoutDto>> {
    if (query.payee === undefined) {
      if (!principal.roles.includes('admin'))
        throw PayoutsError.invalid('payee_required', 'give the payee whose payouts to list', 'payee');
    } else assertCanView(principal, parsePayee(query.payee));
    return this.operations.list(query);
  }

  @Get(':payoutId')
  @Authenticated()
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('payoutId', UuidParamPipe) payoutId: string,
  ): Promise<PayoutDto> {
    const payout = await this.operations.get(payoutId);
    if (!canView(principal, parsePayee(payout.payee)))
      throw PayoutsError.notFound('payout_not_found', `no payout ${payoutId}`);
    return payoutDto(payout);
  }

  /** Admin: reverses a paid payout (at Stripe for Stripe payouts); the amount is payable again. */
  @Post(':payoutId/reversal')
  @HttpCode(200)
  @RequirePlatformRole('admin')
  reverse(
    @Param('payoutId', UuidParamPipe) payoutId: string,
    @Body({ schema: reversalSchema }) body: z.output<typeof reversalSchema>,
  ): Promise<PayoutDto> {
    return this.operations.reverse(payoutId, body.reason);
  }

  /** Admin: records the bank's answer to a bank payout (settled, or rejected: the amount is payable again). */
  @Post(':payoutId/settlement')
  @HttpCode(200)
  @RequirePlatformRole('admin')
  settle(
    @Param('payoutId', UuidParamPipe) payoutId: string,
    @Body({ schema: settlementSchema }) body: z.output<typeof settlementSchema>,
  ): Promise<PayoutDto> {
    return this.operations.settle(payoutId, body.outcome, body.reason);
  }
}

@Controller('v1/payout-batches')
export class PayoutBatchesController {
  constructor(private readonly operations: PayoutOperations) {}

  /** Admin: a period's batch, totalled by outcome (paid, carried, held) and by payout state. */
  @Get(':period')
  @RequirePlatformRole('admin')
  batch(@Param('period') period: string) {
    return this.operations.batch(periodParam(period));
  }

  /** Admin: the batch's bank payouts as an ISO 20022 pain.001.001.09 credit-transfer file for the bank. */
  @Get(':period/bank-file')
  @RequirePlatformRole('admin')
  @Header('content-type', 'application/xml; charset=utf-8')
  bankFile(@Param('period') period: string): Promise<string> {
    return this.operations.bankFile(periodParam(period));
  }
}
