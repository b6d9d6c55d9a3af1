import { z } from 'zod';
import { roleTotals, type RoleTotalsDto } from '../periods/earnings-visibility.js';
import { type AdjustOutcome } from './period-adjuster.js';
import { type PeriodAdjustment } from './period-adjustments.repository.js';

/** Why an admin adjusts a closed period: kept with the adjustment, in its transaction and in statements. */
export const adjustmentReasonSchema = z
  .string({ error: 'must be a text saying why' })
  .trim()
  .min(1, { error: 'must say why the period is adjusted' })
  .max(500, { error: 'must be at most 500 characters' })
  .regex(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/, {
    error: 'must not contain control characters',
  });

/** A correction as statements show it: which service, meter and change, by the correcting event's identity. */
export interface CorrectionDto {
  readonly service: string;
  readonly meter: string;
  readonly delta: string;
  readonly correction: { readonly source: string; readonly id: string };
  /** Null when it changed the allocation's input; else why the close's rules leave it out. */
  readonly notAppliedReason: string | null;
}

/** An adjustment in full (admins): every account's difference and the corrections, subscribers included. */
export interface AdjustmentDto extends Pick<
  PeriodAdjustment,
  | 'period'
  | 'sequence'
  | 'postedIn'
  | 'transactionKey'
  | 'total'
  | 'merkleRoot'
  | 'previousMerkleRoot'
  | 'reason'
  | 'adjustedBy'
  | 'differences'
  | 'payables'
> {
  readonly price: { readonly num: string; readonly den: string };
  readonly adjustedAt: string;
  readonly corrections: readonly (CorrectionDto & { readonly subscriber: string })[];
}

/** What anyone may see of an adjustment (docs/trust-rules.md): its root beside the close's, its total and role totals. */
export interface PublicAdjustmentDto extends Pick<
  PeriodAdjustment,
  'sequence' | 'postedIn' | 'total' | 'merkleRoot' | 'previousMerkleRoot'
> {
  readonly roles: RoleTotalsDto;
  readonly corrections: number;
  readonly adjustedAt: string;
}

export interface AdjustOutcomeDto {
  readonly period: string;
  readonly outcome: AdjustOutcome['outcome'];
  /** The adjustment made, or (nothing to adjust) the latest one. */
  readonly adjustment: AdjustmentDto | null;
}

export function correctionDto(correction: PeriodAdjustment['corrections'][number]): CorrectionDto {
  return {
    service: correction.serviceId,
    meter: correction.meter,
    delta: correction.delta.toString(),
    correction: { source: correction.source, id: correction.id },
    notAppliedReason: correction.notApplied,
  };
}

export function adjustmentDto(adjustment: PeriodAdjustment): AdjustmentDto {
  return {
    period: adjustment.period,
    sequence: adjustment.sequence,
    postedIn: adjustment.postedIn,
    transactionKey: adjustment.transactionKey,
    total: adjustment.total,
    merkleRoot: adjustment.merkleRoot,
    previousMerkleRoot: adjustment.previousMerkleRoot,
    price: { num: adjustment.price.num.toString(), den: adjustment.price.den.toString() },
    reason: adjustment.reason,
    adjustedBy: adjustment.adjustedBy,
    adjustedAt: adjustment.adjustedAt.toISOString(),
    corrections: adjustment.corrections.map((row) => ({
      subscriber: row.subscriberId,
      ...correctionDto(row),
    })),
    differences: adjustment.differences,
    payables: adjustment.payables,
  };
}

export function publicAdjustmentDto(adjustment: PeriodAdjustment): PublicAdjustmentDto {
  return {
    sequence: adjustment.sequence,
    postedIn: adjustment.postedIn,
    total: adjustment.total,
    merkleRoot: adjustment.merkleRoot,
    previousMerkleRoot: adjustment.previousMerkleRoot,
    roles: roleTotals(adjustment.allocation.allocations),
    corrections: adjustment.corrections.length,
    adjustedAt: adjustment.adjustedAt.toISOString(),
  };
}

export function adjustOutcomeDto(period: string, result: AdjustOutcome): AdjustOutcomeDto {
  return {
    period,
    outcome: result.outcome,
    adjustment: result.adjustment ? adjustmentDto(result.adjustment) : null,
  };
}
