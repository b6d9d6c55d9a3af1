import { createHash } from 'node:crypto';
import { StripeApiError } from './stripe-error.js';

export interface StoredResponse {
  readonly status: number;
  readonly body: string;
}

interface Entry {
  readonly fingerprint: string;
  readonly createdAt: number;
  response?: StoredResponse;
}

const RETENTION_MS = 24 * 60 * 60 * 1_000;

/**
 * Stripe's idempotent requests: the first response to a key is stored and replayed (errors from a request
 * that ran included); the same key with other parameters or another endpoint is an `idempotency_error`;
 * a key whose first request is still running answers 409. Keys are kept 24 hours.
 */
export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();

  /** The stored response to replay, or undefined when the caller should run the request (and then `complete`). */
  begin(key: string, method: string, path: string, body: string): StoredResponse | undefined {
    this.expire();
    const fingerprint = createHash('sha256').update(`${method} ${path}\n${body}`).digest('hex');
    const entry = this.entries.get(key);
    if (!entry) {
      this.entries.set(key, { fingerprint, createdAt: Date.now() });
      return undefined;
    }
    if (entry.fingerprint !== fingerprint) {
      throw new StripeApiError(
        400,
        'idempotency_error',
        `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
      );
    }
    if (!entry.response) {
      throw new StripeApiError(
        409,
        'idempotency_error',
        'There is currently another in-progress request using this Idempotency-Key. Please try again later.',
      );
    }
    return entry.response;
  }

  complete(key: string, response: StoredResponse): void {
    const entry = this.entries.get(key);
    if (entry) entry.response = response;
  }

  /** A request that failed validation is not stored: the key may be used again. */
  forget(key: string): void {
    this.entries.delete(key);
  }

  private expire(): void {
    const cutoff = Date.now() - RETENTION_MS;
    for (const [key, entry] of this.entries) if (entry.createdAt < cutoff) this.entries.delete(key);
  }
}
