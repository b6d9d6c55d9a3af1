import { type EmitEvent } from './billing-engine.js';
import { listPage, type PageRequest } from './list-page.js';
import { StripeApiError } from './stripe-error.js';
import {
  type BalanceTransactionObject,
  type ChargeObject,
  type DisputeObject,
  type InvoicePaymentObject,
  type ListObject,
  type PaymentIntentObject,
  type PaymentMethodObject,
  type RefundObject,
  type RefundReason,
  stripeId,
} from './stripe-objects.js';

/** Stripe's dispute fee, charged when the funds are withdrawn and given back with them when the dispute is won. */
export const DISPUTE_FEE = 1_500;

export const DISPUTE_REASONS = [
  'bank_cannot_process',
  'credit_not_processed',
  'customer_initiated',
  'duplicate',
  'fraudulent',
  'general',
  'product_not_received',
  'product_unacceptable',
  'subscription_canceled',
  'unrecognized',
] as const;
export type DisputeReason = (typeof DISPUTE_REASONS)[number];

export interface NewRefund {
  readonly charge?: string | undefined;
  readonly paymentIntent?: string | undefined;
  readonly amount?: number | undefined;
  readonly reason?: RefundReason | undefined;
  readonly metadata: Record<string, string>;
}

interface ChargeFilter {
  readonly charge?: string | undefined;
  readonly paymentIntent?: string | undefined;
}

const ofCharge =
  (filter: ChargeFilter) =>
  (item: { charge: string; payment_intent: string }): boolean =>
    (filter.charge === undefined || item.charge === filter.charge) &&
    (filter.paymentIntent === undefined || item.payment_intent === filter.paymentIntent);

/** One page of a kept collection's matching objects, newest first (a Map keeps creation order). */
function newestFirst<Item extends { id: string }>(
  objects: ReadonlyMap<string, Item>,
  matches: (item: Item) => boolean,
  page: PageRequest,
  url: string,
): ListObject<Item> {
  return listPage([...objects.values()].filter(matches).reverse(), page, url);
}

const money = (amount: number, currency: string) => `${(amount / 100).toFixed(2)} ${currency.toUpperCase()}`;

/**
 * Card payments behind paid invoices (a PaymentIntent, its Charge, the InvoicePayment linking them), their
 * refunds (`POST /v1/refunds`: partial or full, never more than is left, not while the charge is disputed)
 * and disputes, which the cardholder's bank opens and closes (test controls, not Stripe's API): the funds are
 * withdrawn when a dispute opens, and reinstated if it is won.
 */
export class ChargeEngine {
  readonly paymentIntents = new Map<string, PaymentIntentObject>();
  readonly charges = new Map<string, ChargeObject>();
  readonly invoicePayments = new Map<string, InvoicePaymentObject>();
  readonly refunds = new Map<string, RefundObject>();
  readonly disputes = new Map<string, DisputeObject>();

  constructor(
    private readonly nowSeconds: () => number,
    private readonly emit: EmitEvent,
  ) {}

  charge(id: string, param?: string): ChargeObject {
    const charge = this.charges.get(id);
    if (!charge) throw StripeApiError.missing('charge', id, param);
    return charge;
  }

  paymentIntent(id: string, param?: string): PaymentIntentObject {
    const intent = this.paymentIntents.get(id);
    if (!intent) throw StripeApiError.missing('payment_intent', id, param);
    return intent;
  }

  refund(id: string): RefundObject {
    const refund = this.refunds.get(id);
    if (!refund) throw StripeApiError.missing('refund', id);
    return refund;
  }

  dispute(id: string): DisputeObject {
    const dispute = this.disputes.get(id);
    if (!dispute) throw StripeApiError.missing('dispute', id);
    return dispute;
  }

  /** A paid invoice's card payment: PaymentIntent, Charge and InvoicePayment, with their events. */
  payInvoice(
    invoice: { id: string; amount_due: number; currency: string; customer: string; number: string },
    method: PaymentMethodObject,
  ): PaymentIntentObject {
    const now = this.nowSeconds();
    const intentId = stripeId('pi');
    const charge: ChargeObject = {
      id: stripeId('ch'),
      object: 'charge',
      amount: invoice.amount_due,
      amount_captured: invoice.amount_due,
      amount_refunded: 0,
      balance_transaction: stripeId('txn'),
      captured: true,
      created: now,
      currency: invoice.currency,
      customer: invoice.customer,
      description: `Subscription invoice ${invoice.number}`,
      disputed: false,
      failure_code: null,
      failure_message: null,
      metadata: {},
      outcome: {
        network_status: 'approved_by_network',
        reason: null,
        risk_level: 'normal',
        seller_message: 'Payment complete.',
        type: 'authorized',
      },
      paid: true,
      payment_intent: intentId,
      payment_method: method.id,
      payment_method_details: {
        type: 'card',
        card: { brand: method.card.brand, last4: method.card.last4, country: method.card.country },
      },
      refunded: false,
      status: 'succeeded',
      livemode: false,
    };
    const intent: PaymentIntentObject = {
      id: intentId,
      object: 'payment_intent',
      amount: invoice.amount_due,
      amount_capturable: 0,
      amount_received: invoice.amount_due,
      capture_method: 'automatic',
      created: now,
      currency: invoice.currency,
      customer: invoice.customer,
      description: charge.description,
      latest_charge: charge.id,
      metadata: {},
      payment_method: method.id,
      payment_method_types: ['card'],
      status: 'succeeded',
      livemode: false,
    };
    const link: InvoicePaymentObject = {
      id: stripeId('inpay'),
      object: 'invoice_payment',
      amount_paid: invoice.amount_due,
      amount_requested: invoice.amount_due,
      created: now,
      currency: invoice.currency,
      invoice: invoice.id,
      is_default: true,
      payment: { type: 'payment_intent', payment_intent: intentId },
      status: 'paid',
      status_transitions: { canceled_at: null, paid_at: now },
      livemode: false,
    };
    this.paymentIntents.set(intent.id, intent);
    this.charges.set(charge.id, charge);
    this.invoicePayments.set(link.id, link);
    this.emit('payment_intent.succeeded', intent);
    this.emit('charge.succeeded', charge);
    return intent;
  }

  /** `POST /v1/refunds`: by charge or PaymentIntent; the whole unrefunded rest unless `amount` says less. */
  createRefund(input: NewRefund): RefundObject {
    const charge = this.chargeToRefund(input);
    if (charge.disputed && this.openOrLostDispute(charge.id)) {
      throw new StripeApiError(
        400,
        'invalid_request_error',
        `Charge ${charge.id} has been charged back; you cannot issue a refund.`,
        'charge_disputed',
      );
    }
    const left = charge.amount - charge.amount_refunded;
    if (left === 0) {
      throw new StripeApiError(
        400,
        'invalid_request_error',
        `Charge ${charge.id} has already been refunded.`,
        'charge_already_refunded',
      );
    }
    const amount = input.amount ?? left;
    if (amount <= 0) throw StripeApiError.invalid('amount', 'Invalid positive integer');
    if (amount > left) {
      throw StripeApiError.invalid(
        'amount',
        `Refund amount (${money(amount, charge.currency)}) is greater than unrefunded amount on charge (${money(left, charge.currency)})`,
        'amount_too_large',
      );
    }
    const refund: RefundObject = {
      id: stripeId('re'),
      object: 'refund',
      amount,
      balance_transaction: stripeId('txn'),
      charge: charge.id,
      created: this.nowSeconds(),
      currency: charge.currency,
      destination_details: {
        type: 'card',
        card: { reference_status: 'pending', reference_type: 'acquirer_reference_number', type: 'refund' },
      },
      metadata: input.metadata,
      payment_intent: charge.payment_intent,
      reason: input.reason ?? null,
      receipt_number: null,
      source_transfer_reversal: null,
      // Card refunds succeed at once in test mode.
      status: 'succeeded',
      transfer_reversal: null,
    };
    this.refunds.set(refund.id, refund);
    const previous = { amount_refunded: charge.amount_refunded, refunded: charge.refunded };
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded === charge.amount;
    this.emit('refund.created', refund);
    this.emit('charge.refunded', charge, previous);
    return refund;
  }

  /** The cardholder's bank disputes the charge: the dispute opens and its funds (and Stripe's fee) are withdrawn. */
  openDispute(chargeId: string, options: { amount?: number; reason?: DisputeReason } = {}): DisputeObject {
    const charge = this.charge(chargeId);
    if (charge.disputed)
      throw StripeApiError.invalid('charge', `Charge ${charge.id} is already disputed.`, 'charge_disputed');
    const disputable = charge.amount - charge.amount_refunded;
    const amount = options.amount ?? disputable;
    if (amount <= 0 || amount > disputable) {
      throw StripeApiError.invalid(
        'amount',
        `A dispute of ${charge.id} is for 1 to ${disputable}, not ${amount}.`,
        'amount_too_large',
      );
    }
    const now = this.nowSeconds();
    const dispute: DisputeObject = {
      id: stripeId('dp'),
      object: 'dispute',
      amount,
      balance_transactions: [],
      charge: charge.id,
      created: now,
      currency: charge.currency,
      enhanced_eligibility_types: [],
      evidence: { customer_email_address: null, product_description: null, uncategorized_text: null },
      evidence_details: {
        due_by: now + 21 * 86_400,
        has_evidence: false,
        past_due: false,
        submission_count: 0,
      },
      is_charge_refundable: false,
      metadata: {},
      network_reason_code: null,
      payment_intent: charge.payment_intent,
      payment_method_details: {
        type: 'card',
        card: {
          brand: charge.payment_method_details.card.brand,
          case_type: 'chargeback',
          network_reason_code: null,
        },
      },
      reason: options.reason ?? 'fraudulent',
      status: 'needs_response',
      livemode: false,
    };
    this.disputes.set(dispute.id, dispute);
    charge.disputed = true;
    this.emit('charge.dispute.created', dispute);
    dispute.balance_transactions.push(this.disputeMovement(dispute, 'dispute'));
    this.emit('charge.dispute.funds_withdrawn', dispute);
    return dispute;
  }

  /** The bank decides: a won dispute gives the funds and the fee back, a lost one keeps them withdrawn. */
  closeDispute(disputeId: string, outcome: 'won' | 'lost'): DisputeObject {
    const dispute = this.dispute(disputeId);
    if (dispute.status === 'won' || dispute.status === 'lost')
      throw StripeApiError.invalid('dispute', `Dispute ${dispute.id} is already closed (${dispute.status}).`);
    const previous = { status: dispute.status };
    if (outcome === 'won') {
      dispute.balance_transactions.push(this.disputeMovement(dispute, 'dispute_reversal'));
      dispute.is_charge_refundable = true;
      this.emit('charge.dispute.funds_reinstated', dispute);
    }
    dispute.status = outcome;
    this.emit('charge.dispute.closed', dispute, previous);
    return dispute;
  }

  invoicePaymentsPage(
    filter: { invoice?: string | undefined; paymentIntent?: string | undefined },
    page: PageRequest,
  ): ListObject<InvoicePaymentObject> {
    const matches = (link: InvoicePaymentObject) =>
      (filter.invoice === undefined || link.invoice === filter.invoice) &&
      (filter.paymentIntent === undefined || link.payment.payment_intent === filter.paymentIntent);
    return newestFirst(this.invoicePayments, matches, page, '/v1/invoice_payments');
  }

  refundsPage(filter: ChargeFilter, page: PageRequest): ListObject<RefundObject> {
    return newestFirst(this.refunds, ofCharge(filter), page, '/v1/refunds');
  }

  disputesPage(filter: ChargeFilter, page: PageRequest): ListObject<DisputeObject> {
    return newestFirst(this.disputes, ofCharge(filter), page, '/v1/disputes');
  }

  private chargeToRefund(input: NewRefund): ChargeObject {
    if (input.charge === undefined && input.paymentIntent === undefined) {
      throw new StripeApiError(
        400,
        'invalid_request_error',
        'One of the following params should be provided for this request: payment_intent or charge.',
        'parameter_missing',
      );
    }
    const fromIntent =
      input.paymentIntent === undefined
        ? undefined
        : this.charge(this.paymentIntent(input.paymentIntent, 'payment_intent').latest_charge);
    const charge = input.charge === undefined ? fromIntent! : this.charge(input.charge, 'charge');
    if (fromIntent && fromIntent.id !== charge.id) {
      throw StripeApiError.invalid(
        'charge',
        `Charge ${charge.id} does not belong to PaymentIntent ${input.paymentIntent}.`,
      );
    }
    return charge;
  }

  private openOrLostDispute(chargeId: string): DisputeObject | undefined {
    return [...this.disputes.values()].find(
      (dispute) => dispute.charge === chargeId && dispute.status !== 'won',
    );
  }

  private disputeMovement(
    dispute: DisputeObject,
    category: BalanceTransactionObject['reporting_category'],
  ): BalanceTransactionObject {
    const now = this.nowSeconds();
    const sign = category === 'dispute' ? -1 : 1;
    const amount = sign * dispute.amount;
    // Fees are positive when Stripe takes them: the withdrawal's fee is taken, the reversal's given back.
    const fee = -sign * DISPUTE_FEE;
    return {
      id: stripeId('txn'),
      object: 'balance_transaction',
      amount,
      available_on: now,
      created: now,
      currency: dispute.currency,
      description:
        category === 'dispute'
          ? `Chargeback withdrawal for ${dispute.charge}`
          : `Chargeback reversal for ${dispute.charge}`,
      exchange_rate: null,
      fee,
      fee_details: [
        {
          amount: fee,
          application: null,
          currency: dispute.currency,
          description: 'Dispute fee',
          type: 'stripe_fee',
        },
      ],
      net: amount - fee,
      reporting_category: category,
      source: dispute.id,
      status: 'available',
      type: 'adjustment',
    };
  }
}
