import { type BillingEngine } from './billing-engine.js';
import { type ChargeEngine } from './charge-engine.js';
import { type ConnectEngine } from './connect-engine.js';
import { type AccountLinks } from './connect-onboarding.js';
import { type RequestParams } from './request-params.js';
import { StripeApiError } from './stripe-error.js';
import { type EventObject } from './stripe-objects.js';

export interface RouteContext {
  readonly engine: BillingEngine;
  readonly payments: ChargeEngine;
  readonly connect: ConnectEngine;
  readonly accountLinks: AccountLinks;
  readonly events: () => readonly EventObject[];
}

export type Handler = (params: RequestParams, ids: string[], context: RouteContext) => unknown;

export interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly handler: Handler;
}

const ID = '([A-Za-z0-9_]+)';

/** A route of Stripe's API; each `:id` in the path is captured. */
export const route = (method: string, path: string, handler: Handler): Route => ({
  method,
  pattern: new RegExp(`^${path.replaceAll(':id', ID)}$`),
  handler,
});

export function expandable(params: RequestParams, allowed: readonly string[]): string[] {
  const expand = params.stringList('expand');
  const unsupported = expand.find((path) => !allowed.includes(path));
  if (unsupported !== undefined) {
    throw StripeApiError.invalid('expand', `This property cannot be expanded (${unsupported}).`);
  }
  return expand;
}
