import Stripe from 'stripe';
import { checkConnectAccount } from './connect-account-check.js';
import {
  type AccountCheck,
  RailUnavailableError,
  type RailTransferRecord,
  type TransferOutcome,
  type TransferRequest,
} from './payout-rail.js';

export interface StripeTransferRailOptions {
  readonly secretKey: string;
  /** Stripe's API (scheme, host, port); `./dev` and the tests point it at the local fake. */
  readonly apiBase?: string;
  readonly timeoutMs?: number;
}

/** A refusal that is neither transient nor a decline of a transfer, e.g. reversing more than was paid. */
export class RailRequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RailRequestError';
  }
}

/** Stripe codes that mean the destination cannot receive money: the payee must fix their payout account. */
const ACCOUNT_PROBLEM_CODES: ReadonlySet<string> = new Set([
  'account_invalid',
  'account_closed',
  'no_account',
  'insufficient_capabilities_for_transfer',
  'transfers_not_allowed',
  'payouts_not_allowed',
  'account_country_invalid_address',
]);

/**
 * Pays payees' Stripe connected accounts with Connect transfers through the official SDK. The SDK does
 * not retry (`maxNetworkRetries: 0`): the caller owns retries, always with the payout's own idempotency
 * key, so a retried or replayed transfer never moves money twice.
 */
export class StripeTransferRail {
  private readonly stripe: Stripe;

  constructor(options: StripeTransferRailOptions) {
    this.stripe = stripeClient(options);
  }

  async transfer(request: TransferRequest): Promise<TransferOutcome> {
    if (request.destination.rail !== 'stripe') {
      throw new Error(
        `payout ${request.payoutId}: a ${request.destination.rail} destination is not a Stripe account`,
      );
    }
    try {
      const transfer = await this.stripe.transfers.create(
        {
          amount: stripeAmount(request.amountMinor),
          currency: request.currency.toLowerCase(),
          destination: request.destination.accountId,
          transfer_group: request.transferGroup,
          description: request.description,
          metadata: { payout_id: request.payoutId },
        },
        { idempotencyKey: request.idempotencyKey },
      );
      return { kind: 'paid', reference: transfer.id };
    } catch (error) {
      throwIfNotRefusal(error);
      const code = declineCodeOf(error);
      return {
        kind: 'declined',
        code,
        message: error.message,
        accountProblem: ACCOUNT_PROBLEM_CODES.has(code),
      };
    }
  }

  /** Takes `amountMinor` of a transfer back from the destination; the same key on a retry reverses once. */
  async reverse(
    reference: string,
    amountMinor: bigint,
    idempotencyKey: string,
  ): Promise<{ reversedMinor: bigint }> {
    try {
      const reversal = await this.stripe.transfers.createReversal(
        reference,
        { amount: stripeAmount(amountMinor) },
        { idempotencyKey },
      );
      return { reversedMinor: BigInt(reversal.amount) };
    } catch (error) {
      throwIfNotRefusal(error);
      throw new RailRequestError(error.code ?? 'invalid_request', error.message);
    }
  }

  async retrieve(reference: string): Promise<RailTransferRecord> {
    try {
      return recordOf(await this.stripe.transfers.retrieve(reference));
    } catch (error) {
      throwIfNotRefusal(error);
      throw new RailRequestError(error.code ?? 'invalid_request', error.message);
    }
  }

  /** Every transfer, newest first, optionally of one group (the SDK pages through Stripe's list). */
  async *listTransfers(transferGroup?: string): AsyncIterable<RailTransferRecord> {
    const pages = this.stripe.transfers.list({
      limit: 100,
      ...(transferGroup === undefined ? {} : { transfer_group: transferGroup }),
    });
    try {
      for await (const transfer of pages) yield recordOf(transfer);
    } catch (error) {
      throwIfNotRefusal(error);
      throw new RailRequestError(error.code ?? 'invalid_request', error.message);
    }
  }

  /** Whether the account can receive transfers and pay them out to its bank now (`checkConnectAccount`). */
  async checkAccount(accountId: string): Promise<AccountCheck> {
    let account: Stripe.Account;
    try {
      account = await this.stripe.accounts.retrieve(accountId);
    } catch (error) {
      throwIfNotRefusal(error);
      // An unknown id, or an account not connected to this platform (Stripe answers 403 for those).
      if (error.code === 'resource_missing' || error instanceof Stripe.errors.StripePermissionError) {
        return { verified: false, reason: 'no_account', requirements: [] };
      }
      throw new RailRequestError(error.code ?? 'invalid_request', error.message);
    }
    return checkConnectAccount(account);
  }
}

/** The SDK on the configured API base, without retries of its own (callers retry with their own keys). */
export function stripeClient(options: StripeTransferRailOptions): Stripe {
  const base = new URL(options.apiBase ?? 'https://api.stripe.com');
  return new Stripe(options.secretKey, {
    host: base.hostname,
    port: base.port || (base.protocol === 'https:' ? 443 : 80),
    protocol: base.protocol === 'https:' ? 'https' : 'http',
    maxNetworkRetries: 0,
    timeout: options.timeoutMs ?? 20_000,
    telemetry: false,
  });
}

/**
 * Lets through only Stripe's refusals of this request (4xx answers, not about the key or credentials);
 * everything else is thrown: transient failures as `RailUnavailableError`, the rest as plain errors.
 */
export function throwIfNotRefusal(error: unknown): asserts error is Stripe.errors.StripeError {
  if (!(error instanceof Stripe.errors.StripeError)) throw error;
  const status = error.statusCode;
  if (error instanceof Stripe.errors.StripeConnectionError) {
    throw new RailUnavailableError(`Stripe could not be reached: ${error.message}`);
  }
  if (error instanceof Stripe.errors.StripeRateLimitError) {
    throw new RailUnavailableError(
      `Stripe rate limited the request: ${error.message}`,
      retryAfterMsOf(error),
    );
  }
  // 409: another request with this key is still running at Stripe; its answer comes with the retry.
  if (status === undefined || status >= 500 || status === 409) {
    throw new RailUnavailableError(
      `Stripe failed (${status ?? 'no status'}): ${error.message}`,
      retryAfterMsOf(error),
    );
  }
  if (error instanceof Stripe.errors.StripeIdempotencyError) {
    throw new Error(`Stripe refused a reused idempotency key with other parameters: ${error.message}`);
  }
  if (error instanceof Stripe.errors.StripeAuthenticationError) {
    throw new Error(`Stripe refused the API key: ${error.message}`);
  }
}

function declineCodeOf(error: Stripe.errors.StripeError): string {
  if (error.code === 'resource_missing' && error.param === 'destination') return 'no_account';
  return error.code ?? error.decline_code ?? 'declined';
}

/** `Retry-After` in seconds or as an HTTP date, in milliseconds from now. */
export function retryAfterMsOf(error: Stripe.errors.StripeError, now = Date.now()): number | undefined {
  const header = error.headers?.['retry-after'];
  if (header === undefined || header.trim() === '') return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1_000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function stripeAmount(amountMinor: bigint): number {
  if (amountMinor <= 0n || amountMinor > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(
      `a transfer amount must be a positive safe integer of minor units, got ${amountMinor}`,
    );
  }
  return Number(amountMinor);
}

function recordOf(transfer: Stripe.Transfer): RailTransferRecord {
  const destination = transfer.destination;
  return {
    reference: transfer.id,
    payoutId: transfer.metadata?.['payout_id'] ?? null,
    idempotencyKey: null,
    amountMinor: BigInt(transfer.amount),
    currency: transfer.currency.toUpperCase(),
    destination: typeof destination === 'string' ? destination : (destination?.id ?? ''),
    reversedMinor: BigInt(transfer.amount_reversed),
    created: new Date(transfer.created * 1_000),
  };
}
