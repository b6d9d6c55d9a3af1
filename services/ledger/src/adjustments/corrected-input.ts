import { type AllocationInput, compareKeys, type Service, type UsageRow } from '@onecommons/allocation';

/** A usage correction of a closed period, as the ledger stored it from metering's event. */
export interface UsageCorrection {
  readonly serviceId: string;
  /** The correcting event's identity at its service. */
  readonly source: string;
  readonly id: string;
  readonly subscriberId: string;
  readonly meter: string;
  readonly delta: bigint;
}

/** Why a correction moves no money: the close would not have allocated that usage either. */
export const NOT_APPLIED_REASONS = ['subscriber_without_tokens', 'unknown_meter', 'unknown_service'] as const;

export type NotAppliedReason = (typeof NOT_APPLIED_REASONS)[number];

export interface CorrectionOutcome {
  readonly correction: UsageCorrection;
  readonly notApplied: NotAppliedReason | null;
}

/** A correction's identity: unique per service (docs/trust-rules.md), and the order corrections are applied in. */
export const correctionKey = (correction: Pick<UsageCorrection, 'serviceId' | 'source' | 'id'>): string =>
  `${correction.serviceId}\n${correction.source}\n${correction.id}`;

export const byCorrectionKey = (a: UsageCorrection, b: UsageCorrection): number =>
  compareKeys(correctionKey(a), correctionKey(b));

/**
 * The close's own input with corrections applied to its usage rows: same subscribers, terms and policy. A
 * correction counts under the close's rules: only for a subscriber with tokens, a meter the close knew and a
 * service with terms for the period (`services`: the close's, plus those the ledger knows for corrections of
 * services the close had no usage of). A row is never taken below zero.
 */
export function correctedInput(
  input: AllocationInput,
  corrections: readonly UsageCorrection[],
  services: readonly Service[],
): { readonly input: AllocationInput; readonly outcomes: readonly CorrectionOutcome[] } {
  const rowKey = (row: Pick<UsageRow, 'subscriber' | 'service' | 'meter'>) =>
    `${row.subscriber}\n${row.service}\n${row.meter}`;
  const rows = new Map(input.usage.map((row) => [rowKey(row), row]));
  const paying = new Set(input.subscribers.filter((row) => row.tokens > 0n).map((row) => row.id));
  const known = new Map(services.map((service) => [service.id, service]));
  const used = new Set(input.services.map((service) => service.id));
  const outcomes = [...corrections].sort(byCorrectionKey).map((correction): CorrectionOutcome => {
    const notApplied: NotAppliedReason | null = !paying.has(correction.subscriberId)
      ? 'subscriber_without_tokens'
      : !input.meters.has(correction.meter)
        ? 'unknown_meter'
        : !known.has(correction.serviceId)
          ? 'unknown_service'
          : null;
    if (notApplied === null) {
      const usage = {
        subscriber: correction.subscriberId,
        service: correction.serviceId,
        meter: correction.meter,
      };
      const quantity = (rows.get(rowKey(usage))?.quantity ?? 0n) + correction.delta;
      rows.set(rowKey(usage), { ...usage, quantity: quantity > 0n ? quantity : 0n });
      used.add(correction.serviceId);
    }
    return { correction, notApplied };
  });
  const usage = [...rows.values()].filter((row) => row.quantity > 0n);
  return {
    input: {
      ...input,
      usage,
      services: [...used].sort(compareKeys).map((id) => known.get(id) as Service),
    },
    outcomes,
  };
}
