/**
 * What went wrong, in domain terms. Only the HTTP edge (ApiExceptionFilter) turns a kind into a status, so
 * commands and workers handle the same errors without knowing HTTP.
 */
export type DomainErrorKind =
  | 'invalid' // the input breaks a rule
  | 'unauthenticated' // who is asking is unknown or not proven
  | 'payment_required' // a payment was declined
  | 'forbidden' // known, but not allowed to do this
  | 'not_found'
  | 'conflict' // the current state does not allow it (perhaps not yet)
  | 'gone' // it existed, and is no longer kept
  | 'too_large'
  | 'unsupported_format'
  | 'rate_limited'
  | 'upstream_failed' // a provider the service relies on failed
  | 'unavailable'; // cannot be done right now; retry

export interface DomainErrorOptions {
  /** The failing input field, dotted. */
  readonly field?: string;
  /** A retryable refusal (e.g. a fact that has not arrived yet): how soon to ask again. */
  readonly retryAfterSeconds?: number;
  /** Machine-readable facts of the refusal a caller can act on (e.g. how far behind). */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** A class of domain errors whose codes are one union, e.g. `class LedgerError extends DomainError<LedgerErrorCode> {}`. */
type DomainErrorClass<Code extends string, Error> = new (
  kind: DomainErrorKind,
  code: Code,
  message: string,
  options?: DomainErrorOptions,
) => Error;

/**
 * A refusal a caller can act on: a kind, a stable machine-readable code and, for bad input, the failing field.
 * Each service subclasses it with the union of its codes, so a misspelt code does not compile; the helpers
 * return the subclass they are called on (`LedgerError.conflict(…)` is a LedgerError).
 */
export class DomainError<Code extends string = string> extends Error {
  readonly field?: string;
  readonly retryAfterSeconds?: number;
  readonly details?: Readonly<Record<string, unknown>>;

  constructor(
    readonly kind: DomainErrorKind,
    readonly code: Code,
    message: string,
    options: DomainErrorOptions = {},
  ) {
    super(message);
    this.name = new.target.name;
    this.field = options.field;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.details = options.details;
  }

  static invalid<Code extends string, Error>(
    this: DomainErrorClass<Code, Error>,
    code: NoInfer<Code>,
    message: string,
    field?: string,
  ): Error {
    return new this('invalid', code, message, { field });
  }

  static forbidden<Code extends string, Error>(
    this: DomainErrorClass<Code, Error>,
    code: NoInfer<Code>,
    message: string,
    field?: string,
  ): Error {
    return new this('forbidden', code, message, { field });
  }

  static notFound<Code extends string, Error>(
    this: DomainErrorClass<Code, Error>,
    code: NoInfer<Code>,
    message: string,
    field?: string,
  ): Error {
    return new this('not_found', code, message, { field });
  }

  static conflict<Code extends string, Error>(
    this: DomainErrorClass<Code, Error>,
    code: NoInfer<Code>,
    message: string,
    field?: string,
  ): Error {
    return new this('conflict', code, message, { field });
  }
}
