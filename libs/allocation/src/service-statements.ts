import { AccountTotals } from './account-totals.js';
import { type Agreement, type AllocationInput } from './allocation-input.js';
import { splitServiceShare } from './service-split.js';
import { splitSubscriberTokens } from './subscriber-split.js';

/** What one service's share became (steps 2–3): provider and operator credits, and its project's part. */
export interface ServiceStatement {
  readonly service: string;
  /** A_s: what the service's subscribers' tokens gave it in step 1. */
  readonly amount: bigint;
  /** Provider and operator accounts credited from this service, by account key. */
  readonly credits: readonly { readonly account: string; readonly amount: bigint }[];
  /** The developer part D owed to its project (which flows on through dependencies and members). */
  readonly developer: { readonly project: string; readonly amount: bigint } | null;
}

/**
 * Per service, where its share went, computed with the engine's own steps (so the numbers are the ones the
 * period's allocation used): for statements that trace an account's amount back to services.
 */
export function serviceStatements(input: AllocationInput): ServiceStatement[] {
  const shares = splitSubscriberTokens(input, new AccountTotals());
  const services = new Map(input.services.map((service) => [service.id, service]));
  const statements: ServiceStatement[] = [];
  for (const [serviceId, amount] of [...shares].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const service = services.get(serviceId);
    const type = service && input.serviceTypes.get(service.type);
    if (!service || !type) throw new Error(`usage names an unknown service or type: ${serviceId}`);
    const agreements: Agreement[] =
      service.project === null
        ? []
        : input.agreements.filter((agreement) => agreement.project === service.project);
    const credits = new AccountTotals();
    const developerPart = splitServiceShare(service, type, agreements, amount, credits);
    statements.push({
      service: serviceId,
      amount,
      credits: credits.rows().map((row) => ({ account: row.account, amount: row.amount })),
      developer: service.project === null ? null : { project: service.project, amount: developerPart },
    });
  }
  return statements;
}
