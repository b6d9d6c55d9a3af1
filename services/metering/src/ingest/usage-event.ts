import { UUID_PATTERN } from '@onecommons/service-kit';

export const USAGE_EVENT_TYPE = 'onecommons.usage.v1';
export const CORRECTION_EVENT_TYPE = 'onecommons.usage.correction.v1';
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;
const QUANTITY_STRING = /^(0|[1-9]\d{0,17})$/;
const DELTA_STRING = /^-?[1-9]\d{0,17}$/;

/** A well-formed usage event, as metering counts it. */
export interface UsageEvent {
  readonly source: string;
  readonly id: string;
  readonly subscriberId: string;
  readonly serviceId: string;
  readonly meter: string;
  readonly quantity: bigint;
  readonly time: Date;
}

/** Every code an event can be refused with (the API's error codes, and the metric's `reason` label). */
export const REJECTION_CODES = [
  'invalid_event',
  'unsupported_specversion',
  'invalid_attribute',
  'unsupported_type',
  'invalid_quantity',
  'unknown_subscriber',
  'unknown_service',
  'unknown_meter',
  'service_not_allowed',
  'service_not_operated',
  'service_inactive',
  'time_in_future',
  'implausible_quantity',
  'period_closed',
  'unknown_original',
  'correction_exceeds_original',
  'correction_window_passed',
] as const;
export type RejectionCode = (typeof REJECTION_CODES)[number];

/**
 * Why an event is refused: a stable code and the failing field (dotted path inside the event). A retryable
 * refusal may pass when sent again later unchanged (metering has not yet heard of something that exists).
 */
export interface Rejection {
  readonly code: RejectionCode;
  readonly field: string;
  readonly message: string;
  readonly retryable?: true;
}

/**
 * A correction of an accepted usage event: a signed change of its quantity, in the corrected event's period
 * (counted there while the period is open; after its seal, announced for the ledger to adjust the closed period).
 */
export interface CorrectionEvent extends Omit<UsageEvent, 'quantity'> {
  readonly delta: bigint;
  readonly corrects: { readonly source: string; readonly id: string };
}

export type Parsed =
  | { readonly event: UsageEvent }
  | { readonly correction: CorrectionEvent }
  | { readonly rejection: Rejection };

const reject = (code: RejectionCode, field: string, message: string): Parsed => ({
  rejection: { code, field, message },
});

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A NUL is refused here: Postgres stores none, so it would fail the insert as a 500 (and the whole batch). */
const nonEmptyString = (value: unknown, max: number): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= max && !value.includes('\u0000');

/**
 * Checks one CloudEvents 1.0 usage event (structured JSON mode) on its own; what needs context (the
 * caller's service, known meters, open periods) is checked by the ingestion rules after.
 */
export function parseUsageEvent(value: unknown): Parsed {
  if (!isObject(value)) return reject('invalid_event', 'event', 'an event must be a JSON object');
  if (value['specversion'] !== '1.0')
    return reject('unsupported_specversion', 'specversion', 'must be "1.0" (CloudEvents 1.0)');
  if (!nonEmptyString(value['id'], 256))
    return reject('invalid_attribute', 'id', 'must be a non-empty string (≤ 256)');
  const source = value['source'];
  if (!nonEmptyString(source, 1_024) || /\s/.test(source))
    return reject('invalid_attribute', 'source', 'must be a non-empty URI-reference');
  const type = value['type'];
  if (type !== USAGE_EVENT_TYPE && type !== CORRECTION_EVENT_TYPE)
    return reject('unsupported_type', 'type', `must be "${USAGE_EVENT_TYPE}" or "${CORRECTION_EVENT_TYPE}"`);
  const subject = value['subject'];
  if (typeof subject !== 'string' || !UUID_PATTERN.test(subject))
    return reject('invalid_attribute', 'subject', 'must be the subscriber id (a UUID)');
  const time = value['time'];
  if (typeof time !== 'string' || !RFC3339.test(time) || Number.isNaN(Date.parse(time)))
    return reject('invalid_attribute', 'time', 'must be an RFC 3339 timestamp');
  const contentType = value['datacontenttype'];
  if (contentType !== undefined && contentType !== 'application/json')
    return reject('invalid_attribute', 'datacontenttype', 'must be application/json when present');
  const data = value['data'];
  if (!isObject(data))
    return reject('invalid_attribute', 'data', 'must be an object {service, meter, quantity}');
  const service = data['service'];
  if (typeof service !== 'string' || !UUID_PATTERN.test(service))
    return reject('invalid_attribute', 'data.service', 'must be the service id (a UUID)');
  if (!nonEmptyString(data['meter'], 63))
    return reject('invalid_attribute', 'data.meter', 'must be a meter name');
  const common = {
    source,
    id: value['id'],
    subscriberId: subject.toLowerCase(),
    serviceId: service.toLowerCase(),
    meter: data['meter'],
    time: new Date(time),
  };
  if (type === CORRECTION_EVENT_TYPE) return parseCorrection(common, data);
  const quantity = quantityOf(data['quantity']);
  if (quantity === null)
    return reject(
      'invalid_quantity',
      'data.quantity',
      'must be a non-negative integer: a JSON number up to 2^53-1 or a decimal string of up to 18 digits',
    );
  return { event: { ...common, quantity } };
}

function parseCorrection(common: Omit<UsageEvent, 'quantity'>, data: Record<string, unknown>): Parsed {
  const delta = deltaOf(data['quantity']);
  if (delta === null)
    return reject(
      'invalid_quantity',
      'data.quantity',
      'must be the signed change, a non-zero integer: a JSON number or a decimal string of up to 18 digits',
    );
  const corrects = data['corrects'];
  if (
    !isObject(corrects) ||
    !nonEmptyString(corrects['source'], 1_024) ||
    !nonEmptyString(corrects['id'], 256)
  )
    return reject('invalid_attribute', 'data.corrects', 'must name the corrected event: {"source", "id"}');
  return { correction: { ...common, delta, corrects: { source: corrects['source'], id: corrects['id'] } } };
}

function deltaOf(value: unknown): bigint | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value !== 0 ? BigInt(value) : null;
  if (typeof value === 'string') return DELTA_STRING.test(value) ? BigInt(value) : null;
  return null;
}

function quantityOf(value: unknown): bigint | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? BigInt(value) : null;
  if (typeof value === 'string') return QUANTITY_STRING.test(value) ? BigInt(value) : null;
  return null;
}
