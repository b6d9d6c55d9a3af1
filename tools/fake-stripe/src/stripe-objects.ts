import { randomBytes } from 'node:crypto';

/** The Stripe objects the fake keeps, in the shape of Stripe's API (fields the platform does not use are left out). */
export interface CustomerObject {
  id: string;
  object: 'customer';
  created: number;
  email: string | null;
  name: string | null;
  description: string | null;
  metadata: Record<string, string>;
  invoice_settings: { default_payment_method: string | null };
  test_clock: null;
  livemode: false;
}

export interface PaymentMethodObject {
  id: string;
  object: 'payment_method';
  type: 'card';
  created: number;
  customer: string | null;
  card: {
    brand: string;
    last4: string;
    exp_month: number;
    exp_year: number;
    funding: string;
    country: string;
  };
  metadata: Record<string, string>;
  livemode: false;
}

export interface ProductObject {
  id: string;
  object: 'product';
  name: string;
  active: boolean;
  created: number;
  metadata: Record<string, string>;
  livemode: false;
}

export interface PriceObject {
  id: string;
  object: 'price';
  active: boolean;
  billing_scheme: 'per_unit';
  created: number;
  currency: string;
  lookup_key: string | null;
  metadata: Record<string, string>;
  nickname: string | null;
  product: string;
  recurring: { interval: 'month'; interval_count: number; usage_type: 'licensed' } | null;
  type: 'recurring' | 'one_time';
  unit_amount: number;
  unit_amount_decimal: string;
  livemode: false;
}

export interface SubscriptionItemObject {
  id: string;
  object: 'subscription_item';
  created: number;
  current_period_start: number;
  current_period_end: number;
  price: PriceObject;
  quantity: number;
  subscription: string;
  metadata: Record<string, string>;
}

export type SubscriptionStatus =
  'incomplete' | 'incomplete_expired' | 'active' | 'past_due' | 'canceled' | 'unpaid';

export interface SubscriptionObject {
  id: string;
  object: 'subscription';
  billing_cycle_anchor: number;
  cancel_at: number | null;
  cancel_at_period_end: boolean;
  canceled_at: number | null;
  collection_method: 'charge_automatically';
  created: number;
  currency: string;
  customer: string;
  default_payment_method: string | null;
  ended_at: number | null;
  items: ListObject<SubscriptionItemObject>;
  latest_invoice: string | null;
  metadata: Record<string, string>;
  start_date: number;
  status: SubscriptionStatus;
  test_clock: null;
  livemode: false;
}

export interface InvoiceLineObject {
  id: string;
  object: 'line_item';
  amount: number;
  currency: string;
  description: string;
  period: { start: number; end: number };
  pricing: { type: 'price_details'; price_details: { price: string; product: string } };
  quantity: number;
}

export type InvoiceStatus = 'draft' | 'open' | 'paid' | 'void' | 'uncollectible';

export interface InvoiceObject {
  id: string;
  object: 'invoice';
  amount_due: number;
  amount_paid: number;
  amount_remaining: number;
  attempt_count: number;
  attempted: boolean;
  billing_reason: 'subscription_create' | 'subscription_cycle';
  collection_method: 'charge_automatically';
  created: number;
  currency: string;
  customer: string;
  default_payment_method: string | null;
  lines: ListObject<InvoiceLineObject>;
  metadata: Record<string, string>;
  number: string;
  parent: {
    type: 'subscription_details';
    quote_details: null;
    subscription_details: { subscription: string; metadata: Record<string, string> };
  };
  period_start: number;
  period_end: number;
  status: InvoiceStatus;
  status_transitions: { finalized_at: number | null; paid_at: number | null };
  subtotal: number;
  total: number;
  livemode: false;
}

export interface EventObject {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  data: { object: unknown; previous_attributes?: Record<string, unknown> };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: string;
}

export interface ListObject<Item> {
  object: 'list';
  data: Item[];
  has_more: boolean;
  url: string;
}

export function listOf<Item>(data: Item[], url: string): ListObject<Item> {
  return { object: 'list', data, has_more: false, url };
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Stripe-style ids: a type prefix and 24 random base62 characters (`cus_…`, `in_…`, `evt_…`). */
export function stripeId(prefix: string): string {
  const bytes = randomBytes(24);
  return `${prefix}_${[...bytes].map((byte) => BASE62[byte % 62]).join('')}`;
}

/** A deep copy, so a caller never holds the fake's live state (and a replayed response never changes). */
export function snapshot<Value>(value: Value): Value {
  return structuredClone(value);
}
