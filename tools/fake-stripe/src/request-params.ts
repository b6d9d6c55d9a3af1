import { type FormObject, type FormValue } from './form-encoding.js';
import { StripeApiError } from './stripe-error.js';

/**
 * Reads a request's parameters like Stripe does: typed reads, `parameter_missing` for required ones, and
 * `parameter_unknown` for anything the endpoint does not take (checked by `done()`).
 */
export class RequestParams {
  private readonly read = new Set<string>();

  constructor(
    private readonly values: FormObject,
    private readonly prefix = '',
  ) {}

  private take(name: string): FormValue | undefined {
    this.read.add(name);
    return this.values[name];
  }

  private label(name: string): string {
    return this.prefix ? `${this.prefix}[${name}]` : name;
  }

  has(name: string): boolean {
    return this.values[name] !== undefined;
  }

  string(name: string): string | undefined {
    const value = this.take(name);
    if (value === undefined) return undefined;
    if (typeof value !== 'string')
      throw StripeApiError.invalid(this.label(name), `Invalid string: ${JSON.stringify(value)}`);
    return value;
  }

  requiredString(name: string): string {
    const value = this.string(name);
    if (value === undefined || value === '') {
      throw StripeApiError.invalid(
        this.label(name),
        `Missing required param: ${this.label(name)}.`,
        'parameter_missing',
      );
    }
    return value;
  }

  integer(name: string): number | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(Number(value)))
      throw StripeApiError.invalid(this.label(name), `Invalid integer: ${value}`);
    return Number(value);
  }

  boolean(name: string): boolean | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    if (value !== 'true' && value !== 'false')
      throw StripeApiError.invalid(this.label(name), `Invalid boolean: ${value}`);
    return value === 'true';
  }

  oneOf<Value extends string>(name: string, allowed: readonly Value[]): Value | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(value)) {
      throw StripeApiError.invalid(
        this.label(name),
        `Invalid ${this.label(name)}: must be one of ${allowed.join(', ')}`,
      );
    }
    return value as Value;
  }

  /** A nested hash, read with its own RequestParams (checked when the caller calls its `done()`). */
  object(name: string): RequestParams | undefined {
    const value = this.take(name);
    if (value === undefined || value === '') return undefined;
    if (typeof value === 'string' || Array.isArray(value))
      throw StripeApiError.invalid(this.label(name), `Invalid object: ${this.label(name)}`);
    return new RequestParams(value, this.label(name));
  }

  list(name: string): RequestParams[] {
    const value = this.take(name);
    if (value === undefined || value === '') return [];
    if (!Array.isArray(value))
      throw StripeApiError.invalid(this.label(name), `Invalid array: ${this.label(name)}`);
    return value.map((item, index) => {
      if (typeof item === 'string' || Array.isArray(item))
        throw StripeApiError.invalid(`${this.label(name)}[${index}]`, 'Invalid object');
      return new RequestParams(item, `${this.label(name)}[${index}]`);
    });
  }

  stringList(name: string): string[] {
    const value = this.take(name);
    if (value === undefined || value === '') return [];
    const items = Array.isArray(value) ? value : [value];
    return items.map((item, index) => {
      if (typeof item !== 'string')
        throw StripeApiError.invalid(`${this.label(name)}[${index}]`, 'Invalid string');
      return item;
    });
  }

  /** `metadata[key]=value` pairs; an empty string unsets, as in Stripe. */
  metadata(name = 'metadata'): Record<string, string> | undefined {
    const nested = this.object(name);
    if (!nested) return this.values[name] === '' ? {} : undefined;
    const entries = nested.keys().map((key) => [key, nested.string(key) ?? ''] as const);
    nested.done();
    return Object.fromEntries(entries);
  }

  keys(): string[] {
    return Object.keys(this.values);
  }

  done(): void {
    const unknown = Object.keys(this.values).find((key) => !this.read.has(key));
    if (unknown !== undefined) {
      throw StripeApiError.invalid(
        this.label(unknown),
        `Received unknown parameter: ${this.label(unknown)}`,
        'parameter_unknown',
      );
    }
  }
}
