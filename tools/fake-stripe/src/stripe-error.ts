/** The error body Stripe answers with: `{"error": {"type", "code", "message", "param", "decline_code"}}`. */
export type StripeErrorType =
  | 'api_error'
  | 'card_error'
  | 'idempotency_error'
  | 'invalid_request_error'
  | 'rate_limit_error'
  | 'authentication_error';

export class StripeApiError extends Error {
  /** The endpoint ran and refused (e.g. `balance_insufficient`): Stripe stores this answer for its idempotency key. */
  storedForReplay = false;

  constructor(
    readonly status: number,
    readonly type: StripeErrorType,
    message: string,
    readonly code?: string,
    readonly param?: string,
    readonly declineCode?: string,
  ) {
    super(message);
    this.name = 'StripeApiError';
  }

  /** Marks an error that Stripe answers after the request ran, so its idempotency key replays it. */
  replayable(): this {
    this.storedForReplay = true;
    return this;
  }

  static missing(resource: string, id: string, param?: string): StripeApiError {
    return new StripeApiError(
      param ? 400 : 404,
      'invalid_request_error',
      `No such ${resource}: '${id}'`,
      'resource_missing',
      param,
    );
  }

  static invalid(param: string, message: string, code = 'parameter_invalid'): StripeApiError {
    return new StripeApiError(400, 'invalid_request_error', message, code, param);
  }

  toBody(): { error: Record<string, string> } {
    return {
      error: {
        type: this.type,
        message: this.message,
        ...(this.code ? { code: this.code } : {}),
        ...(this.param ? { param: this.param } : {}),
        ...(this.declineCode ? { decline_code: this.declineCode } : {}),
      },
    };
  }
}
