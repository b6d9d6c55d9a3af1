import { USAGE_CORRECTION_TYPE, USAGE_REPORT_TYPE } from '@onecommons/contracts';
import { UUID_PATTERN } from '@onecommons/service-kit';
import { z } from 'zod';

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

/** A NUL is refused here: Postgres stores none, so it would fail the insert as a 500 (and the whole batch). */
const text = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((value) => !value.includes('\u0000'));
const uuid = z
  .string()
  .regex(UUID_PATTERN)
  .transform((value) => value.toLowerCase());
const rfc3339Time = z
  .string()
  .regex(RFC3339)
  .refine((time) => !Number.isNaN(Date.parse(time)))
  .transform((time) => new Date(time));
const toBigInt = (value: number | string) => BigInt(value);
/** A JSON number up to 2^53-1 (`z.int()` takes safe integers only) or a decimal string of up to 18 digits. */
const quantity = z.union([z.int().nonnegative(), z.string().regex(QUANTITY_STRING)]).transform(toBigInt);
const delta = z
  .union([z.int().refine((value) => value !== 0), z.string().regex(DELTA_STRING)])
  .transform(toBigInt);

/**
 * A CloudEvents 1.0 event of one type, in the JSON format. Its fields are listed in the order they are
 * checked: the first issue zod reports (in shape order) is the field a refusal names.
 */
const cloudEvent = <Data extends z.ZodRawShape>(type: string, data: Data) =>
  z.object({
    specversion: z.literal('1.0'),
    id: text(256),
    source: text(1_024).regex(/^\S+$/),
    type: z.literal(type),
    subject: uuid,
    time: rfc3339Time,
    datacontenttype: z.literal('application/json').optional(),
    data: z.object({ service: uuid, meter: text(63), ...data }),
  });

const commonOf = ({ source, id, subject, time, data }: z.output<ReturnType<typeof cloudEvent>>) => ({
  source,
  id,
  subscriberId: subject,
  serviceId: data.service,
  meter: data.meter,
  time,
});

const usageEvent = cloudEvent(USAGE_REPORT_TYPE, { quantity }).transform((event): Parsed => ({
  event: { ...commonOf(event), quantity: event.data.quantity },
}));
const correctionEvent = cloudEvent(USAGE_CORRECTION_TYPE, {
  quantity: delta,
  corrects: z.object({ source: text(1_024), id: text(256) }),
}).transform((event): Parsed => ({
  correction: { ...commonOf(event), delta: event.data.quantity, corrects: event.data.corrects },
}));

/** How each field is refused: by the field's name (`event` for the event itself, at most `data.<field>` deep). */
type Refusal = readonly [RejectionCode, string];
type Refusals = Readonly<Record<string, Refusal>>;
const USAGE_REFUSALS: Refusals = {
  event: ['invalid_event', 'an event must be a JSON object'],
  specversion: ['unsupported_specversion', 'must be "1.0" (CloudEvents 1.0)'],
  id: ['invalid_attribute', 'must be a non-empty string (≤ 256)'],
  source: ['invalid_attribute', 'must be a non-empty URI-reference'],
  type: ['unsupported_type', `must be "${USAGE_REPORT_TYPE}" or "${USAGE_CORRECTION_TYPE}"`],
  subject: ['invalid_attribute', 'must be the subscriber id (a UUID)'],
  time: ['invalid_attribute', 'must be an RFC 3339 timestamp'],
  datacontenttype: ['invalid_attribute', 'must be application/json when present'],
  data: ['invalid_attribute', 'must be an object {service, meter, quantity}'],
  'data.service': ['invalid_attribute', 'must be the service id (a UUID)'],
  'data.meter': ['invalid_attribute', 'must be a meter name'],
  'data.quantity': [
    'invalid_quantity',
    'must be a non-negative integer: a JSON number up to 2^53-1 or a decimal string of up to 18 digits',
  ],
};
const CORRECTION_REFUSALS: Refusals = {
  ...USAGE_REFUSALS,
  'data.quantity': [
    'invalid_quantity',
    'must be the signed change, a non-zero integer: a JSON number or a decimal string of up to 18 digits',
  ],
  'data.corrects': ['invalid_attribute', 'must name the corrected event: {"source", "id"}'],
};

const typeOf = (value: unknown) =>
  typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;

/**
 * Checks one CloudEvents 1.0 usage event (JSON format: a structured event, an element of a batch, or a binary
 * one in that form) on its own; what needs context (the caller's service, known meters, open periods) is
 * checked by the ingestion rules after.
 */
export function parseUsageEvent(value: unknown): Parsed {
  // Any type but a correction's is checked as usage, whose `type` refuses all but its own.
  const [schema, refusals] =
    typeOf(value) === USAGE_CORRECTION_TYPE
      ? [correctionEvent, CORRECTION_REFUSALS]
      : [usageEvent, USAGE_REFUSALS];
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const field = result.error.issues[0]?.path.slice(0, 2).join('.') || 'event';
  // zod reports only fields of the schema's shape, and each has its refusal.
  const [code, message] = refusals[field] as Refusal;
  return { rejection: { code, field, message } };
}
