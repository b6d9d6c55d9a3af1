import { Injectable } from '@nestjs/common';
import { createEvent, SubscriptionCancelledV1, uuidV7 } from '@onecommons/contracts';
import { OutboxWriter } from '@onecommons/kafka';
import { DataSource, type EntityManager, In } from 'typeorm';
import { IdentityError } from '../identity-errors.js';
import { laterPeriod, periodOfUnixSeconds } from './billing-period.js';
import { BillingCustomer } from './billing-customer.entity.js';
import { type SubscribeDto, type SubscriptionDto } from './dto.js';
import { PlanCatalog } from './plan-catalog.js';
import { type ProviderSubscription, StripeGateway } from './stripe-gateway.js';
import { toSubscriptionDto } from './subscription-dto.js';
import { LIVE_STATUSES, Subscription } from './subscription.entity.js';

const UNIQUE_VIOLATION = '23505';
export const IDENTITY_SOURCE = '/onecommons/identity';

const subscriptionExists = () =>
  IdentityError.conflict('subscription_exists', 'This account already has a subscription; cancel it first.');
const noSubscription = () => IdentityError.notFound('subscription_not_found', 'No such subscription.');

/**
 * Subscribing and cancelling. The provider is called outside any transaction (a slow API never holds a
 * database connection); state the webhook needs exists before the call, so an early webhook finds it.
 */
@Injectable()
export class SubscriptionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly plans: PlanCatalog,
    private readonly stripe: StripeGateway,
  ) {}

  async subscribe(accountId: string, input: SubscribeDto): Promise<SubscriptionDto> {
    const { plan, amountMinor } = this.plans.priceOf(input.plan, input.currency);
    if (await this.live(this.dataSource.manager, accountId)) throw subscriptionExists();
    const priceId = await this.stripe.priceFor(input.currency, amountMinor);
    const customerId = await this.customerOf(accountId);
    const paymentMethodId = await this.stripe.attachPaymentMethod(input.paymentMethod, customerId);
    const id = uuidV7();
    try {
      await this.dataSource.getRepository(Subscription).insert({
        id,
        accountId,
        plan,
        currency: input.currency,
        amountMinor,
        status: 'incomplete',
        provider: 'stripe',
        providerCustomerId: customerId,
      });
    } catch (error) {
      if ((error as { driverError?: { code?: string } }).driverError?.code === UNIQUE_VIOLATION)
        throw subscriptionExists();
      throw error;
    }
    let created: ProviderSubscription;
    try {
      created = await this.stripe.createSubscription({
        subscriptionId: id,
        accountId,
        customerId,
        priceId,
        paymentMethodId,
        now: new Date(),
      });
    } catch (error) {
      await this.dataSource
        .getRepository(Subscription)
        .update({ id, status: 'incomplete' }, { status: 'failed' });
      throw error;
    }
    return this.dataSource.transaction(async (manager) => {
      const subscription = await lockedSubscription(manager, id);
      subscription.providerSubscriptionId = created.id;
      adoptPeriod(subscription, created.periodStart, created.periodEnd);
      return toSubscriptionDto(await manager.save(subscription));
    });
  }

  async current(accountId: string): Promise<SubscriptionDto> {
    const subscription = await this.latest(accountId);
    if (!subscription) throw noSubscription();
    return toSubscriptionDto(subscription);
  }

  /** Another account's subscription is "not found", never "forbidden": ids of others are not confirmed. */
  async own(accountId: string, subscriptionId: string): Promise<SubscriptionDto> {
    const subscription = await this.dataSource
      .getRepository(Subscription)
      .findOneBy({ id: subscriptionId, accountId });
    if (!subscription) throw noSubscription();
    return toSubscriptionDto(subscription);
  }

  /** Cancels at period end: nothing more is charged; premium lasts until the paid period ends. Idempotent. */
  async cancelCurrent(accountId: string): Promise<SubscriptionDto> {
    const subscription = await this.live(this.dataSource.manager, accountId);
    if (!subscription) throw noSubscription();
    if (subscription.cancelAtPeriodEnd) return toSubscriptionDto(subscription);
    if (!subscription.providerSubscriptionId) {
      throw IdentityError.conflict(
        'subscription_pending',
        'The subscription is still being set up; try again shortly.',
      );
    }
    const provider = await this.stripe.cancelAtPeriodEnd(
      subscription.providerSubscriptionId,
      subscription.id,
    );
    return this.dataSource.transaction(async (manager) => {
      const locked = await lockedSubscription(manager, subscription.id);
      adoptPeriod(locked, provider.periodStart, provider.periodEnd);
      await markCancelled(manager, this.outbox, locked, new Date());
      return toSubscriptionDto(await manager.save(locked));
    });
  }

  private live(manager: EntityManager, accountId: string): Promise<Subscription | null> {
    return manager.getRepository(Subscription).findOneBy({ accountId, status: In([...LIVE_STATUSES]) });
  }

  private async latest(accountId: string): Promise<Subscription | null> {
    return (
      (await this.live(this.dataSource.manager, accountId)) ??
      (await this.dataSource.getRepository(Subscription).findOne({
        where: { accountId, status: 'ended' },
        order: { createdAt: 'DESC' },
      }))
    );
  }

  private async customerOf(accountId: string): Promise<string> {
    const repository = this.dataSource.getRepository(BillingCustomer);
    const known = await repository.findOneBy({ accountId });
    if (known) return known.providerCustomerId;
    // The idempotency key is the account id: a concurrent first subscribe gets the same Stripe customer.
    const providerCustomerId = await this.stripe.createCustomer(accountId);
    await repository
      .createQueryBuilder()
      .insert()
      .values({ accountId, provider: 'stripe', providerCustomerId })
      .orIgnore()
      .execute();
    return (await repository.findOneByOrFail({ accountId })).providerCustomerId;
  }
}

export async function lockedSubscription(manager: EntityManager, id: string): Promise<Subscription> {
  return manager
    .getRepository(Subscription)
    .findOneOrFail({ where: { id }, lock: { mode: 'pessimistic_write' } });
}

/** The provider's current period, taken only when it moves forward (events can arrive in any order). */
export function adoptPeriod(subscription: Subscription, startSeconds: number, endSeconds: number): void {
  const period = periodOfUnixSeconds(startSeconds);
  if (subscription.period !== null && laterPeriod(subscription.period, period) !== period) return;
  subscription.period = period;
  subscription.periodEnd = new Date(endSeconds * 1_000);
}

/** Records a cancellation at period end and announces it, once. */
export async function markCancelled(
  manager: EntityManager,
  outbox: OutboxWriter,
  subscription: Subscription,
  at: Date,
): Promise<void> {
  if (subscription.cancelAtPeriodEnd || subscription.status === 'ended') return;
  subscription.cancelAtPeriodEnd = true;
  subscription.cancelledAt = at;
  await outbox.append(manager, [
    createEvent(
      SubscriptionCancelledV1,
      {
        subscriber: subscription.accountId,
        subscriptionId: subscription.id,
        lastPeriod: subscription.period ?? subscription.paidPeriod!,
        endsAt: subscription.periodEnd!.toISOString(),
        cancelledAt: at.toISOString(),
      },
      { source: IDENTITY_SOURCE },
    ),
  ]);
}
