import { faultRuleOf } from './fault-injector.js';
import { type FakeStripe } from './fake-stripe-server.js';
import { StripeApiError } from './stripe-error.js';

/**
 * Connect test helpers (JSON bodies), not Stripe's API: `POST /_fake/faults` {path, status, count?,
 * retryAfterSeconds?, method?, afterExecution?}, `DELETE /_fake/faults`,
 * `POST /_fake/accounts/:id/capabilities/transfers` {status: active|inactive},
 * `POST /_fake/transfers/:id/reverse` {amount?}, `GET /_fake/transfer-attempts`.
 * Undefined when the path is none of these.
 */
export function connectControl(
  fake: FakeStripe,
  method: string,
  path: string,
  body: string,
): { status: number; body: unknown } | undefined {
  const capability = /^\/_fake\/accounts\/([A-Za-z0-9_]+)\/capabilities\/transfers$/.exec(path);
  const reverse = /^\/_fake\/transfers\/([A-Za-z0-9_]+)\/reverse$/.exec(path);
  if (method === 'GET' && path === '/_fake/transfer-attempts')
    return { status: 200, body: fake.transferAttempts };
  if (method === 'POST' && path === '/_fake/faults') {
    const rule = faultRuleOf(jsonOf(body));
    fake.injectFault(rule);
    return { status: 201, body: rule };
  }
  if (method === 'DELETE' && path === '/_fake/faults') {
    fake.clearFaults();
    return { status: 200, body: { cleared: true } };
  }
  if (method === 'POST' && capability) {
    const { status } = jsonOf(body) as { status?: unknown };
    if (status !== 'active' && status !== 'inactive')
      throw StripeApiError.invalid('status', 'status must be active or inactive');
    return { status: 200, body: fake.setTransfersCapability(capability[1]!, status) };
  }
  if (method === 'POST' && reverse) {
    const { amount } = jsonOf(body) as { amount?: unknown };
    if (amount !== undefined && !Number.isSafeInteger(amount))
      throw StripeApiError.invalid('amount', 'amount must be an integer');
    return { status: 200, body: fake.reverseTransfer(reverse[1]!, amount as number | undefined) };
  }
  return undefined;
}

export function jsonOf(body: string): unknown {
  if (body.trim() === '') return {};
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new StripeApiError(400, 'invalid_request_error', 'The body of a /_fake/ request must be JSON.');
  }
}
