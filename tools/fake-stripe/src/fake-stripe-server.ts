import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { findRoute } from './api-routes.js';
import { BillingEngine } from './billing-engine.js';
import { ChargeEngine, type DisputeReason } from './charge-engine.js';
import { ConnectEngine, DEFAULT_PLATFORM_BALANCE } from './connect-engine.js';
import { type AccountObject, type TransferAttempt, type TransferReversalObject } from './connect-objects.js';
import { connectControl, jsonOf } from './connect-control.js';
import { AccountLinks, type PageAnswer } from './connect-onboarding.js';
import { disputeControl } from './dispute-control.js';
import { FaultInjector, type FaultRule, sendFault } from './fault-injector.js';
import { decodeForm, FormEncodingError } from './form-encoding.js';
import { IdempotencyStore } from './idempotency-store.js';
import { RequestParams } from './request-params.js';
import { StripeApiError } from './stripe-error.js';
import {
  type DisputeObject,
  type EventObject,
  snapshot,
  stripeId,
  type SubscriptionObject,
} from './stripe-objects.js';
import {
  DEFAULT_RETRY_POLICY,
  type DeliveryAttempt,
  endpointTakes,
  type RetryPolicy,
  WebhookDeliverer,
  type WebhookEndpoint,
} from './webhook-deliverer.js';

/** The API version the fake's objects follow (what the `stripe` SDK 23 pins). */
export const FAKE_STRIPE_API_VERSION = '2026-10-28.endive';

export interface FakeStripeOptions {
  /** The one secret key accepted, e.g. `sk_test_...`. */
  readonly secretKey: string;
  readonly host?: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Where browsers reach the fake (the base of account links' URLs); default: the address it listens on. */
  readonly publicUrl?: string;
  readonly webhookEndpoints?: readonly WebhookEndpoint[];
  readonly retry?: Partial<RetryPolicy>;
  /** How often subscriptions whose period ended are renewed; 0 turns the real-time clock off (tests advance by hand). */
  readonly renewalCheckIntervalMs?: number;
  /** The clock, Unix milliseconds. */
  readonly now?: () => number;
  /** The platform's available balance per currency in minor units (default 10^12 eur and usd). */
  readonly platformBalance?: Readonly<Record<string, number>>;
}

export interface FakeStripe {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly engine: BillingEngine;
  /** Paid invoices' PaymentIntents and Charges, their refunds and disputes. */
  readonly payments: ChargeEngine;
  readonly connect: ConnectEngine;
  /** Every `POST /v1/transfers` answered, in order: creations, replays, failures and injected faults. */
  readonly transferAttempts: readonly TransferAttempt[];
  readonly events: readonly EventObject[];
  readonly deliveries: readonly DeliveryAttempt[];
  /** Ends the subscription's current period now: renews (invoice, charge, webhooks) or ends it. */
  advanceSubscription(id: string): SubscriptionObject;
  /**
   * Adds a webhook endpoint (what `POST /v1/webhook_endpoints` does at Stripe), e.g. once the receiver's port is
   * known; `connect: true` makes it a Connect endpoint (events of connected accounts, such as `account.updated`).
   */
  addWebhookEndpoint(endpoint: WebhookEndpoint): void;
  /** Sends an event again, same id and payload, freshly signed: a duplicate delivery. */
  resendEvent(id: string): void;
  /** Holds webhook deliveries back until `releaseWebhooks` (to deliver an event first by hand, or late). */
  holdWebhooks(): void;
  releaseWebhooks(): void;
  /** The next `count` requests to `path` fail with `status` (429 with `Retry-After`, or a 5xx). */
  injectFault(rule: FaultRule): void;
  clearFaults(): void;
  /** Verification lapsed (`inactive`): transfers to the account are refused until it is `active` again. */
  setTransfersCapability(accountId: string, status: 'active' | 'inactive'): AccountObject;
  /** A reversal the platform did not ask for through the API (the funds came back from the account). */
  reverseTransfer(transferId: string, amount?: number): TransferReversalObject;
  /** The cardholder's bank disputes a charge: the dispute opens and its funds are withdrawn. */
  openDispute(chargeId: string, options?: { amount?: number; reason?: DisputeReason }): DisputeObject;
  /** The bank closes the dispute: won reinstates the funds, lost keeps them withdrawn. */
  closeDispute(disputeId: string, outcome: 'won' | 'lost'): DisputeObject;
  /** Resolves once every queued webhook delivery has been attempted. */
  webhooksIdle(): Promise<void>;
  close(): Promise<void>;
}

/** Starts the fake Stripe API on a local port. */
export async function startFakeStripe(options: FakeStripeOptions): Promise<FakeStripe> {
  const now = options.now ?? Date.now;
  const nowSeconds = () => Math.floor(now() / 1_000);
  const events: EventObject[] = [];
  const endpoints = [...(options.webhookEndpoints ?? [])];
  const deliverer = new WebhookDeliverer(
    () => endpoints,
    { ...DEFAULT_RETRY_POLICY, ...options.retry },
    nowSeconds,
  );
  let currentRequest: { id: string; idempotencyKey: string | null } = { id: '', idempotencyKey: null };
  const pendingEvents: EventObject[] = [];
  const engineEvents = (
    type: string,
    object: unknown,
    previous?: Record<string, unknown>,
    connectedAccount?: string,
  ) => {
    const event: EventObject = {
      id: stripeId('evt'),
      object: 'event',
      ...(connectedAccount ? { account: connectedAccount } : {}),
      api_version: FAKE_STRIPE_API_VERSION,
      created: nowSeconds(),
      data: { object: snapshot(object), ...(previous ? { previous_attributes: snapshot(previous) } : {}) },
      livemode: false,
      pending_webhooks: endpoints.filter((endpoint) => endpointTakes(endpoint, connectedAccount)).length,
      request: { id: currentRequest.id || null, idempotency_key: currentRequest.idempotencyKey },
      type,
    };
    events.push(event);
    pendingEvents.push(event);
  };
  const payments = new ChargeEngine(nowSeconds, engineEvents);
  const engine = new BillingEngine(nowSeconds, engineEvents, payments);
  const flushEvents = () => {
    // Events go out after the request that caused them has answered, as Stripe's asynchronous delivery does.
    for (const event of pendingEvents.splice(0)) {
      deliverer.deliver(event, () => {
        event.pending_webhooks = Math.max(0, event.pending_webhooks - 1);
      });
    }
  };
  const idempotency = new IdempotencyStore();
  const connect = new ConnectEngine(
    nowSeconds,
    engineEvents,
    options.platformBalance ?? DEFAULT_PLATFORM_BALANCE,
  );
  const accountLinks = new AccountLinks(connect, nowSeconds, () => publicUrl);
  const faults = new FaultInjector();
  const transferAttempts: TransferAttempt[] = [];

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://fake-stripe.local');
    const body = await readBody(request);
    const method = request.method ?? 'GET';
    const requestId = stripeId('req');
    response.setHeader('request-id', requestId);
    response.setHeader('stripe-version', FAKE_STRIPE_API_VERSION);
    if (url.pathname.startsWith('/_fake/')) {
      return fakeControl(method, url.pathname, headerOf(request, 'authorization'), body, response);
    }
    if (url.pathname.startsWith('/setup/')) return hostedPage(method, url.pathname, body, response);
    const key = method === 'POST' ? (headerOf(request, 'idempotency-key') ?? null) : null;
    const note = attemptRecorder(method, url.pathname, requestId, key);
    try {
      authenticate(headerOf(request, 'authorization'), options.secretKey);
      const found = findRoute(method, url.pathname);
      if (!found) {
        throw new StripeApiError(
          404,
          'invalid_request_error',
          `Unrecognized request URL (${method}: ${url.pathname}).`,
        );
      }
      // An injected fault answers before the API runs (nothing stored), unless it models a lost response.
      const fault = faults.take(method, url.pathname);
      if (fault && !fault.afterExecution) {
        note('fault', fault.status);
        return sendFault(response, fault);
      }
      const replay = key ? idempotency.begin(key, method, url.pathname, body) : undefined;
      if (replay) {
        note('replayed', fault?.status ?? replay.status, replay.body);
        if (fault) return sendFault(response, fault);
        response.setHeader('idempotent-replayed', 'true');
        return send(response, replay.status, replay.body);
      }
      currentRequest = { id: requestId, idempotencyKey: key };
      let payload: string;
      try {
        const source = method === 'GET' || method === 'DELETE' ? url.search.slice(1) : body;
        const result = found.handler(new RequestParams(decodeForm(source)), found.ids, {
          engine,
          payments,
          connect,
          accountLinks,
          events: () => events,
        });
        payload = JSON.stringify(snapshot(result), null, 2);
      } catch (error) {
        const apiError = asStripeError(error);
        // Validation failures are not stored (the key stays usable); a request that ran is replayed, errors too.
        if (key && apiError.status !== 402 && !apiError.storedForReplay) idempotency.forget(key);
        else if (key)
          idempotency.complete(key, { status: apiError.status, body: JSON.stringify(apiError.toBody()) });
        throw apiError;
      } finally {
        currentRequest = { id: '', idempotencyKey: null };
      }
      if (key) idempotency.complete(key, { status: 200, body: payload });
      note('created', fault?.status ?? 200, payload);
      if (fault) return sendFault(response, fault);
      send(response, 200, payload);
    } catch (error) {
      const apiError = asStripeError(error);
      note('failed', apiError.status);
      send(response, apiError.status, JSON.stringify(apiError.toBody()));
    } finally {
      flushEvents();
    }
  };

  /** Records the `POST /v1/transfers` requests, so tests can tell real creations from replays. */
  const attemptRecorder =
    (method: string, path: string, requestId: string, idempotencyKey: string | null) =>
    (outcome: TransferAttempt['outcome'], status: number, payload?: string) => {
      if (method !== 'POST' || path !== '/v1/transfers') return;
      // The payload is the request's own answer (a stored error on a replay has no transfer).
      const answered =
        payload === undefined ? undefined : (JSON.parse(payload) as { object?: string; id?: string });
      const transfer = answered?.object === 'transfer' ? (answered.id ?? null) : null;
      transferAttempts.push({
        at: new Date(now()).toISOString(),
        requestId,
        idempotencyKey,
        outcome,
        status,
        transfer,
      });
    };

  /** Stripe-hosted pages the account holder's browser opens (Connect Onboarding): no API key. */
  const hostedPage = (method: string, path: string, body: string, response: ServerResponse) => {
    try {
      const answer: PageAnswer = accountLinks.page(method, path, body) ?? {
        status: 404,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: 'Not found',
      };
      response.writeHead(answer.status, answer.headers);
      response.end(answer.body);
    } finally {
      flushEvents();
    }
  };

  /**
   * Test helpers that are not Stripe's API (Stripe's own are test clocks and the CLI's `events resend`), besides
   * connectControl's and disputeControl's: `POST /_fake/webhook-endpoints` {url, secret, connect?} adds an
   * endpoint; `POST /_fake/webhooks/hold` and `/release` hold deliveries back (a late webhook) and send them.
   */
  const fakeControl = (
    method: string,
    path: string,
    authorization: string | undefined,
    body: string,
    response: ServerResponse,
  ) => {
    try {
      if (method === 'GET' && path === '/_fake/health') return send(response, 200, '{"status":"ok"}');
      authenticate(authorization, options.secretKey);
      const advance = /^\/_fake\/subscriptions\/([A-Za-z0-9_]+)\/advance$/.exec(path);
      const resend = /^\/_fake\/events\/([A-Za-z0-9_]+)\/resend$/.exec(path);
      if (method === 'GET' && path === '/_fake/deliveries')
        return send(response, 200, JSON.stringify(deliverer.attempts));
      if (method === 'POST' && advance)
        return send(response, 200, JSON.stringify(control.advanceSubscription(advance[1]!)));
      if (method === 'POST' && path === '/_fake/webhooks/hold') {
        control.holdWebhooks();
        return send(response, 200, '{"held":true}');
      }
      if (method === 'POST' && path === '/_fake/webhooks/release') {
        control.releaseWebhooks();
        return send(response, 200, '{"held":false}');
      }
      if (method === 'POST' && path === '/_fake/webhook-endpoints') {
        const endpoint = webhookEndpointOf(jsonOf(body));
        control.addWebhookEndpoint(endpoint);
        return send(response, 201, JSON.stringify({ url: endpoint.url, connect: endpoint.connect ?? false }));
      }
      if (method === 'POST' && resend) {
        control.resendEvent(resend[1]!);
        return send(response, 202, JSON.stringify({ resent: resend[1] }));
      }
      const answer =
        connectControl(control, method, path, body) ?? disputeControl(control, method, path, body);
      if (answer) return send(response, answer.status, JSON.stringify(answer.body));
      throw new StripeApiError(
        404,
        'invalid_request_error',
        `Unrecognized request URL (${method}: ${path}).`,
      );
    } catch (error) {
      const apiError = asStripeError(error);
      return send(response, apiError.status, JSON.stringify(apiError.toBody()));
    } finally {
      flushEvents();
    }
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent)
        send(response, 500, JSON.stringify(new StripeApiError(500, 'api_error', String(error)).toBody()));
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const publicUrl = (options.publicUrl ?? `http://${host}:${port}`).replace(/\/+$/, '');
  const renewalInterval = options.renewalCheckIntervalMs ?? 0;
  const renewalTimer =
    renewalInterval > 0
      ? setInterval(() => {
          engine.advanceDue(nowSeconds());
          flushEvents();
        }, renewalInterval)
      : undefined;
  renewalTimer?.unref();

  const control: FakeStripe = {
    url: `http://${host}:${port}`,
    host,
    port,
    engine,
    payments,
    connect,
    transferAttempts,
    events,
    deliveries: deliverer.attempts,
    advanceSubscription(id) {
      const result = snapshot(engine.advancePeriod(engine.subscription(id)));
      flushEvents();
      return result;
    },
    addWebhookEndpoint(endpoint) {
      endpoints.push(endpoint);
    },
    resendEvent(id) {
      const event = events.find((candidate) => candidate.id === id);
      if (!event) throw StripeApiError.missing('event', id);
      deliverer.deliver(event);
    },
    injectFault: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    setTransfersCapability(accountId, status) {
      const result = snapshot(connect.setTransfersCapability(accountId, status));
      flushEvents();
      return result;
    },
    reverseTransfer(transferId, amount) {
      const result = snapshot(connect.reverse(connect.transfer(transferId), amount, {}));
      flushEvents();
      return result;
    },
    openDispute(chargeId, options) {
      const result = snapshot(payments.openDispute(chargeId, options));
      flushEvents();
      return result;
    },
    closeDispute(disputeId, outcome) {
      const result = snapshot(payments.closeDispute(disputeId, outcome));
      flushEvents();
      return result;
    },
    holdWebhooks: () => deliverer.hold(),
    releaseWebhooks: () => deliverer.release(),
    webhooksIdle: () => deliverer.idle(),
    async close() {
      if (renewalTimer) clearInterval(renewalTimer);
      await deliverer.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return control;
}

/** `POST /_fake/webhook-endpoints` {url, secret, connect?}. */
function webhookEndpointOf(body: unknown): WebhookEndpoint {
  const { url, secret, connect } = (body ?? {}) as { url?: unknown; secret?: unknown; connect?: unknown };
  if (typeof url !== 'string' || !URL.canParse(url))
    throw StripeApiError.invalid('url', 'url must be an absolute URL');
  if (typeof secret !== 'string' || !secret.startsWith('whsec_'))
    throw StripeApiError.invalid('secret', 'secret must start with whsec_');
  if (connect !== undefined && typeof connect !== 'boolean')
    throw StripeApiError.invalid('connect', 'connect must be true or false');
  return { url, secret, connect: connect ?? false };
}

function authenticate(header: string | undefined, secretKey: string): void {
  const match = /^Bearer (\S+)$/.exec(header ?? '');
  if (!match) {
    throw new StripeApiError(
      401,
      'invalid_request_error',
      "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
    );
  }
  if (match[1] !== secretKey) {
    const shown = `${match[1]!.slice(0, 8)}${'*'.repeat(Math.max(0, match[1]!.length - 12))}${match[1]!.slice(-4)}`;
    throw new StripeApiError(401, 'invalid_request_error', `Invalid API Key provided: ${shown}`);
  }
}

function asStripeError(error: unknown): StripeApiError {
  if (error instanceof StripeApiError) return error;
  if (error instanceof FormEncodingError)
    return new StripeApiError(400, 'invalid_request_error', error.message);
  return new StripeApiError(500, 'api_error', 'An unexpected error occurred in the fake.');
}

function headerOf(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(body);
}
