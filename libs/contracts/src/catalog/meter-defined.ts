import { z } from 'zod';
import { defineEvent } from '../envelope/event-contract.js';
import { TOPICS } from '../envelope/topics.js';
import { weightSchema } from './fields.js';

/** v1 had no unit or bound: every meter's usage was taken at any size. Kept only to read old messages. */
export const MeterDefinedV1 = defineEvent({
  type: 'onecommons.catalog.meter.defined.v1',
  topic: TOPICS.catalogEvents.name,
  description:
    'An admin defined or changed a meter and its weight (superseded by v2, which adds unit and bound).',
  schema: z.object({ name: z.string(), weight: weightSchema }),
  subjectOf: (data) => `meter:${data.name}`,
});

/** The unit of a meter counted in seconds: its usage can never exceed the seconds that passed. */
export const SECONDS_UNIT = 'second';

export const meterUnitSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,31}$/, { error: 'must be lower-case letters, digits and _ (at most 32)' });

/**
 * The most one subscriber's usage of one service may add up to on a meter in a period: `max` per second of
 * the period (so it scales with the month's length), or `max` per period. A positive integer, as a decimal
 * string.
 */
export const meterBoundSchema = z.object({
  per: z.enum(['second', 'period']),
  max: z.string().regex(/^[1-9]\d{0,17}$/, { error: 'must be a positive integer of at most 18 digits' }),
});

export type MeterBound = z.output<typeof meterBoundSchema>;

/**
 * What a meter without a declared unit and bound measures: a `*_seconds` meter counts seconds (at most one
 * per second of the period), any other counts units at most 1000 per second of the period. Used for v1
 * definitions and for definitions that leave them out.
 */
export function defaultMeterMeasure(name: string): { unit: string; bound: MeterBound } {
  return name.endsWith('_seconds')
    ? { unit: SECONDS_UNIT, bound: { per: 'second', max: '1' } }
    : { unit: 'unit', bound: { per: 'second', max: '1000' } };
}

/** Seconds cannot pass faster than one per second: a seconds meter's bound is at most the period's seconds. */
export const isBoundPlausibleForUnit = (unit: string, bound: MeterBound): boolean =>
  unit !== SECONDS_UNIT || (bound.per === 'second' && bound.max === '1');

export const MeterDefinedV2 = defineEvent(
  {
    type: 'onecommons.catalog.meter.defined.v2',
    topic: TOPICS.catalogEvents.name,
    description:
      'An admin defined or changed a meter: its weight in the allocation, its unit, and the bound on one ' +
      "subscriber's usage of one service in a period (per second of the period, or per period). Upcast from " +
      'v1: a `*_seconds` meter counts `second`s bounded by 1 per second, any other `unit`s bounded by 1000 per second.',
    schema: z.object({
      name: z.string(),
      weight: weightSchema,
      unit: meterUnitSchema,
      bound: meterBoundSchema,
    }),
    subjectOf: (data) => `meter:${data.name}`,
  },
  {
    from: MeterDefinedV1,
    apply: (previous) => ({ ...previous, ...defaultMeterMeasure(previous.name) }),
  },
);

/** The most a subscriber's usage of one service may reach on a meter with this bound in `periodSeconds`. */
export function boundOfPeriod(bound: MeterBound, periodSeconds: number): bigint {
  return bound.per === 'second' ? BigInt(bound.max) * BigInt(periodSeconds) : BigInt(bound.max);
}
