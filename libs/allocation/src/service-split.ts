import { operatorAccount, providerAccount } from './account-key.js';
import { type AccountTotals } from './account-totals.js';
import { type Agreement, type Service, type ServiceType } from './allocation-input.js';
import { bpsShare, splitByWeight } from './split.js';

/**
 * Steps 2 and 3 for one service's share A_s: the provider part by resource points, the developer part D of the
 * operator's gross, the rest to the operator. Returns D, owed to the service's project (0 without a project).
 */
export function splitServiceShare(
  service: Service,
  type: ServiceType,
  projectAgreements: readonly Agreement[],
  amount: bigint,
  accounts: AccountTotals,
): bigint {
  const providerPart = bpsShare(amount, service.providerBps ?? type.providerBps);
  const providers = service.providers.filter((provider) => provider.weight > 0n);
  // With nobody to pay, the provider part stays in the operator's gross and so also bears the developer share.
  let operatorGross = amount;
  if (providers.length > 0) {
    const shares = splitByWeight(
      providerPart,
      providers.map((provider) => provider.id),
      providers.map((provider) => provider.weight),
    );
    providers.forEach((provider, index) =>
      accounts.credit(providerAccount(provider.id), shares[index] as bigint),
    );
    operatorGross = amount - providerPart;
  }
  const developerPart =
    service.project === null ? 0n : bpsShare(operatorGross, developerBps(service, type, projectAgreements));
  accounts.credit(operatorAccount(service.operator), operatorGross - developerPart);
  return developerPart;
}

/** The highest of the type's default, the service's override and the agreements that bind this operator. */
export function developerBps(
  service: Service,
  type: ServiceType,
  projectAgreements: readonly Agreement[],
): bigint {
  let bps = type.developerBps;
  if (service.developerBps !== null && service.developerBps > bps) bps = service.developerBps;
  for (const agreement of projectAgreements) {
    const applies = agreement.binding || agreement.operator === service.operator;
    if (applies && agreement.developerBps > bps) bps = agreement.developerBps;
  }
  return bps;
}
