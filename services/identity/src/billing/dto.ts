import { z } from 'zod';

export const subscribeSchema = z.strictObject({
  plan: z.string({ error: 'must be a string' }).min(1, { error: 'is required' }),
  currency: z
    .string({ error: 'must be a string' })
    .regex(/^[A-Za-z]{3}$/, { error: 'must be an ISO 4217 currency code' })
    .transform((value) => value.toUpperCase()),
  /** A payment-provider payment method, e.g. a Stripe PaymentMethod id or test token (`pm_card_visa`). */
  paymentMethod: z
    .string({ error: 'must be a string' })
    .regex(/^pm_[A-Za-z0-9_]{1,200}$/, { error: 'must be a payment method id (pm_…)' }),
});

export type SubscribeDto = z.output<typeof subscribeSchema>;

export interface PlanPriceDto {
  readonly currency: string;
  /** Minor units, as a decimal string. */
  readonly amountMinor: string;
}

export interface PlanDto {
  readonly id: 'free' | 'premium';
  readonly name: string;
  readonly interval: 'month' | null;
  readonly prices: readonly PlanPriceDto[];
}

export interface SubscriptionDto {
  readonly id: string;
  readonly plan: 'premium';
  readonly status: 'incomplete' | 'active' | 'past_due' | 'ended' | 'failed';
  readonly currency: string;
  readonly amountMinor: string;
  /** The current billing period (`YYYY-MM`, UTC calendar month) and when it ends. */
  readonly period: string | null;
  readonly periodEnd: string | null;
  /** The latest period paid for. */
  readonly paidPeriod: string | null;
  /** A period whose payment failed, while it stays unpaid. */
  readonly unpaidPeriod: string | null;
  readonly cancelAtPeriodEnd: boolean;
  readonly cancelledAt: string | null;
  readonly endedAt: string | null;
  readonly createdAt: string;
}

/** The reasons Stripe takes for a refund. */
export const REFUND_REASONS = ['duplicate', 'fraudulent', 'requested_by_customer'] as const;
export type RefundReason = (typeof REFUND_REASONS)[number];

export const refundRequestSchema = z.strictObject({
  amountMinor: z
    .string({ error: 'must be a string' })
    .regex(/^[1-9]\d{0,17}$/, { error: 'must be a positive integer in minor units, as a string' })
    .transform((value) => BigInt(value)),
  reason: z.enum(REFUND_REASONS, { error: `must be one of ${REFUND_REASONS.join(', ')}` }),
});

export type RefundRequestDto = z.output<typeof refundRequestSchema>;

/** A refund Stripe accepted; the platform's money moves when Stripe's webhook reports it. */
export interface RefundRequestedDto {
  readonly paymentId: string;
  readonly providerRefundId: string;
  readonly amountMinor: string;
  readonly currency: string;
  readonly reason: RefundReason;
  readonly status: string;
}
