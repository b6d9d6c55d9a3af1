import { type Principal } from '@onecommons/auth';
import { payeeKeySchema } from '@onecommons/contracts';
import { PayoutsError } from '../payouts-errors.js';

export type PayeeKind = 'provider' | 'operator' | 'member';

/** A participant account that can be paid: `provider:<org>`, `operator:<org>` or `member:<account>`. */
export interface Payee {
  readonly key: string;
  readonly kind: PayeeKind;
  /** The organization (provider, operator) or the account (member). */
  readonly id: string;
}

export function parsePayee(raw: string, field = 'payee'): Payee {
  if (!payeeKeySchema.safeParse(raw).success)
    throw PayoutsError.invalid(
      'validation_failed',
      'must be a payee key: provider:<uuid>, operator:<uuid> or member:<uuid>',
      field,
    );
  const separator = raw.indexOf(':');
  return { key: raw, kind: raw.slice(0, separator) as PayeeKind, id: raw.slice(separator + 1) };
}

const isAdmin = (principal: Principal) => principal.roles.includes('admin');

/** Balances, payouts and statements: admins, the member itself, anyone in the payee organization. */
export function canView(principal: Principal, payee: Payee): boolean {
  if (isAdmin(principal)) return true;
  if (payee.kind === 'member') return principal.subject === payee.id;
  return principal.organizations.some((grant) => grant.id === payee.id);
}

/**
 * Where and how a payee is paid: only the member itself or the organization's owners. Not admins: an
 * operator of the platform must not be able to redirect anyone's money.
 */
export function canManage(principal: Principal, payee: Payee): boolean {
  if (payee.kind === 'member') return principal.subject === payee.id;
  return principal.organizations.some((grant) => grant.id === payee.id && grant.role === 'owner');
}

export function assertCanView(principal: Principal, payee: Payee): void {
  // 404, not 403: whether someone else is a payee is not the caller's business.
  if (!canView(principal, payee))
    throw PayoutsError.notFound('payee_not_found', `no payee ${payee.key} of yours`);
}

export function assertCanManage(principal: Principal, payee: Payee): void {
  assertCanView(principal, payee);
  if (!canManage(principal, payee))
    throw PayoutsError.forbidden(
      'forbidden',
      `only ${payee.kind === 'member' ? 'the member' : 'the organization’s owners'} may change how ${payee.key} is paid`,
    );
}
