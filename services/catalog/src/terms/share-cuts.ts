import { nextPeriod, periodOf } from '@onecommons/contracts';

/** A service's own share overrides (null: its type's default applies). */
export interface ServiceTerms {
  readonly providerBps: number | null;
  readonly developerBps: number | null;
}

/** An operator's agreement with a project. */
export interface AgreementTerms {
  readonly developerBps: number;
  readonly binding: boolean;
}

/** Terms waiting for the period they take effect from (a `YYYY-MM` period). */
export type Scheduled<Terms> = Terms & { readonly from: string };

export type ServiceCut = 'providers' | 'project';
export type AgreementCut = 'operators' | 'project';

/**
 * Whose share a service's new overrides lower, besides the operator's own (docs/money-rules.md steps 2–3): the providers'
 * when the provider part falls, the project's when the service's developer share falls (devBps is the highest of
 * the type's default and the override, so an override at or under the default changes nothing). The operator
 * changes its own services' terms: lowering its own part is its consent.
 */
export function serviceCuts(
  type: { readonly providerBps: number; readonly developerBps: number },
  hasProject: boolean,
  before: ServiceTerms,
  after: ServiceTerms,
): ServiceCut[] {
  const cuts: ServiceCut[] = [];
  if ((after.providerBps ?? type.providerBps) < (before.providerBps ?? type.providerBps))
    cuts.push('providers');
  const developer = (terms: ServiceTerms) => Math.max(type.developerBps, terms.developerBps ?? 0);
  if (hasProject && developer(after) < developer(before)) cuts.push('project');
  return cuts;
}

/**
 * Whose share an agreement's new terms lower, given who changes them: the project making (or keeping) an
 * agreement binding at a higher share takes it from every other operator of the project; the operator lowering
 * its share, or ending a binding by new terms, takes it from the project. Each party's own change to its own
 * share is its consent.
 */
export function agreementCuts(
  by: 'operator' | 'project',
  before: AgreementTerms,
  after: AgreementTerms,
): AgreementCut[] {
  if (by === 'project')
    return after.binding && (!before.binding || after.developerBps > before.developerBps)
      ? ['operators']
      : [];
  return after.developerBps < before.developerBps || (before.binding && !after.binding) ? ['project'] : [];
}

/** A cut made at `now` applies from the next period: the running period keeps the terms it began with. */
export const cutEffectiveFrom = (now: Date): string => nextPeriod(periodOf(now));

/** Whether terms scheduled from `from` are in force at `now`. */
export const scheduleDue = (from: string | null, now: Date): boolean =>
  from !== null && from <= periodOf(now);
