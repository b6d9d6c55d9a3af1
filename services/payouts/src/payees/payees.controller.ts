import { Body, Controller, Get, HttpCode, Inject, Param, Post, Put, Query } from '@nestjs/common';
import {
  ACCESS_DIRECTORY,
  type AccessDirectory,
  Authenticated,
  CurrentPrincipal,
  currentPrincipal,
  type Principal,
  RequirePlatformRole,
} from '@onecommons/auth';
import { periodOf, periodSchema } from '@onecommons/contracts';
import { UuidParamPipe } from '@onecommons/service-kit';
import { z } from 'zod';
import { type PayeeStatementDto, PayeeStatements } from '../statements/payee-statements.js';
import { assertCanManage, assertCanView, type Payee, parsePayee } from './payee-key.js';
import { type OnboardingLinkDto, PayeeOnboarding } from '../onboarding/payee-onboarding.js';
import { type HoldDto, type PayeeDto, PayeesService } from './payees.service.js';
import { type PayoutAccountDto } from './payout-account-dto.js';

const minorUnits = z
  .string({ error: 'must be a decimal string of minor units' })
  .regex(/^[1-9]\d{0,14}$/, { error: 'must be a positive whole number of minor units, e.g. "2500"' });

const preferencesSchema = z
  .strictObject({
    /** Redeem allocations for currency at each close (default), or hold them as tokens. */
    autoRedeem: z.boolean({ error: 'must be true or false' }).optional(),
    /** A threshold above the platform's (minor units); null returns to the platform's. */
    thresholdMinor: minorUnits.nullable().optional(),
  })
  .refine((body) => body.autoRedeem !== undefined || body.thresholdMinor !== undefined, {
    error: 'give autoRedeem, thresholdMinor or both',
  });

const payoutAccountSchema = z.discriminatedUnion(
  'rail',
  [
    z.strictObject({
      rail: z.literal('stripe'),
      /** The payee's Stripe connected account. */
      accountId: z
        .string()
        .regex(/^acct_[A-Za-z0-9]{1,64}$/, { error: 'must be a Stripe account id, acct_…' }),
    }),
    z.strictObject({
      rail: z.literal('bank'),
      holderName: z
        .string()
        .trim()
        .min(1, { error: 'is required' })
        .max(70, { error: 'must be at most 70 characters' }),
      iban: z.string().max(42, { error: 'must be at most 42 characters' }),
      bic: z.string().max(11, { error: 'must be at most 11 characters' }).optional(),
    }),
  ],
  { error: 'rail must be "stripe" or "bank"' },
);

const holdSchema = z.strictObject({
  reason: z.enum(['fraud_review', 'compliance_review', 'dispute'], {
    error: 'must be fraud_review, compliance_review or dispute',
  }),
  note: z.string().max(500, { error: 'must be at most 500 characters' }).default(''),
});

const statementQuerySchema = z.strictObject({ period: periodSchema.default(() => periodOf(new Date())) });

/** A payee: who may see it (its organization, the member, admins) and who may change how it is paid (owners, the member). */
@Controller('v1/payees')
export class PayeesController {
  constructor(
    private readonly payees: PayeesService,
    private readonly statements: PayeeStatements,
    private readonly onboarding: PayeeOnboarding,
    @Inject(ACCESS_DIRECTORY) private readonly access: AccessDirectory,
  ) {}

  /**
   * Changing where or how a payee is paid goes by identity's memberships now, not the token's claims: an owner
   * removed a minute ago must not redirect the organization's money with a token issued before.
   */
  private async assertCanManageNow(principal: Principal, payee: Payee): Promise<void> {
    const organizationId = payee.kind === 'member' ? undefined : payee.id;
    assertCanManage(await currentPrincipal(this.access, principal, organizationId), payee);
  }

  /** Balances, threshold, payout account, holds and when the next payout is expected. */
  @Get(':payee')
  @Authenticated()
  get(@CurrentPrincipal() principal: Principal, @Param('payee') raw: string): Promise<PayeeDto> {
    const payee = parsePayee(raw);
    assertCanView(principal, payee);
    return this.payees.get(payee);
  }

  @Put(':payee/preferences')
  @Authenticated()
  async preferences(
    @CurrentPrincipal() principal: Principal,
    @Param('payee') raw: string,
    @Body({ schema: preferencesSchema }) body: z.output<typeof preferencesSchema>,
  ): Promise<PayeeDto> {
    const payee = parsePayee(raw);
    await this.assertCanManageNow(principal, payee);
    return this.payees.setPreferences(payee, body);
  }

  /** Sets where the payee is paid (replacing the previous account). A Stripe account is checked at once. */
  @Put(':payee/payout-account')
  @Authenticated()
  async payoutAccount(
    @CurrentPrincipal() principal: Principal,
    @Param('payee') raw: string,
    @Body({ schema: payoutAccountSchema }) body: z.output<typeof payoutAccountSchema>,
  ): Promise<PayoutAccountDto> {
    const payee = parsePayee(raw);
    await this.assertCanManageNow(principal, payee);
    return this.payees.setPayoutAccount(payee, body);
  }

  /**
   * Starts (or continues) the payee's Stripe onboarding: opens an Express connected account as the payee's payout
   * account (unverified until Stripe enables payouts; a balance meanwhile is held, not lost) and answers Stripe's
   * single-use onboarding link for the payee's browser. Called again, it continues the same account.
   */
  @Post(':payee/payout-account/onboarding')
  @Authenticated()
  async startOnboarding(
    @CurrentPrincipal() principal: Principal,
    @Param('payee') raw: string,
  ): Promise<OnboardingLinkDto> {
    const payee = parsePayee(raw);
    await this.assertCanManageNow(principal, payee);
    return this.onboarding.start(payee);
  }

  /** Admin: checks the payout account with Stripe again, or attests a bank account. */
  @Post(':payee/payout-account/verification')
  @HttpCode(200)
  @RequirePlatformRole('admin')
  verify(@Param('payee') raw: string): Promise<PayoutAccountDto> {
    return this.payees.verifyPayoutAccount(parsePayee(raw));
  }

  /** Admin: stops payouts to the payee (its balance stays payable) until the hold is released. */
  @Post(':payee/holds')
  @RequirePlatformRole('admin')
  hold(
    @CurrentPrincipal() principal: Principal,
    @Param('payee') raw: string,
    @Body({ schema: holdSchema }) body: z.output<typeof holdSchema>,
  ): Promise<HoldDto> {
    return this.payees.placeHold(parsePayee(raw), body, principal.subject);
  }

  @Post(':payee/holds/:holdId/release')
  @HttpCode(204)
  @RequirePlatformRole('admin')
  release(
    @CurrentPrincipal() principal: Principal,
    @Param('payee') raw: string,
    @Param('holdId', UuidParamPipe) holdId: string,
  ): Promise<void> {
    return this.payees.releaseHold(parsePayee(raw), holdId, principal.subject);
  }

  /** The period's statement: credits traced to the allocation, the batch's decision, payouts and their states. */
  @Get(':payee/statement')
  @Authenticated()
  statement(
    @CurrentPrincipal() principal: Principal,
    @Param('payee') raw: string,
    @Query({ schema: statementQuerySchema }) query: z.output<typeof statementQuerySchema>,
  ): Promise<PayeeStatementDto> {
    const payee = parsePayee(raw);
    assertCanView(principal, payee);
    return this.statements.of(payee, query.period);
  }
}
