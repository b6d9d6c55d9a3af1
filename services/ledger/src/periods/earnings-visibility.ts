import { Injectable } from '@nestjs/common';
import { type Principal } from '@onecommons/auth';
import { DataSource } from 'typeorm';
import { LedgerError } from '../ledger-errors.js';
import { EarningsVisibilityRepository } from './earnings-visibility.repository.js';

/** A period's allocated amounts summed by role: public, like the total and the Merkle root. */
export interface RoleTotalsDto {
  readonly fund: string;
  readonly providers: string;
  readonly operators: string;
  readonly members: string;
  readonly escrows: string;
}

const ROLE_OF_PREFIX: Readonly<Record<string, keyof RoleTotalsDto>> = {
  fund: 'fund',
  provider: 'providers',
  operator: 'operators',
  member: 'members',
  escrow: 'escrows',
};

/**
 * Who may read an allocated amount (docs/trust-rules.md "Earnings belong to their holder", docs/privacy.md): a person's
 * (`member:<account>`) only that person; an organization's (`provider:`, `operator:`) and a project's escrow
 * (`escrow:<project>`) only the members of that organization (of the project's organization); admins all. The
 * general fund, each period's total, role totals and Merkle root are public. The one home of that rule: every
 * ledger read of amounts (allocations, proofs, account statements) asks it.
 */
@Injectable()
export class EarningsVisibility {
  constructor(
    private readonly dataSource: DataSource,
    private readonly projects: EarningsVisibilityRepository,
  ) {}

  async assertMayRead(principal: Principal, account: string): Promise<void> {
    const readable = await this.readable(principal, [account]);
    if (!readable.has(account))
      throw LedgerError.forbidden(
        'earnings_private',
        'This account’s earnings are for its holder only.',
        'account',
      );
  }

  /** The rows of `rows` the principal may read, in their order. */
  async filter<Row extends { readonly account: string }>(
    principal: Principal,
    rows: readonly Row[],
  ): Promise<Row[]> {
    if (isAdmin(principal)) return [...rows];
    const readable = await this.readable(
      principal,
      rows.map((row) => row.account),
    );
    return rows.filter((row) => readable.has(row.account));
  }

  private async readable(principal: Principal, accounts: readonly string[]): Promise<Set<string>> {
    if (isAdmin(principal)) return new Set(accounts);
    const organizations = new Set(principal.organizations.map((grant) => grant.id));
    const readable = new Set<string>();
    const escrowProjects: string[] = [];
    for (const account of accounts) {
      const [kind, id] = account.split(/:(.*)/s) as [string, string | undefined];
      if (account === 'fund:general') readable.add(account);
      else if (kind === 'member' && id === principal.subject) readable.add(account);
      else if ((kind === 'operator' || kind === 'provider') && id !== undefined && organizations.has(id))
        readable.add(account);
      else if (kind === 'escrow' && id !== undefined && organizations.size > 0) escrowProjects.push(id);
    }
    if (escrowProjects.length > 0) {
      const owned = await this.projects.ownedBy(this.dataSource.manager, escrowProjects, [...organizations]);
      for (const projectId of owned) readable.add(`escrow:${projectId}`);
    }
    return readable;
  }
}

const isAdmin = (principal: Principal) => principal.roles.includes('admin');

/** Sums allocation rows by the role their key names. */
export function roleTotals(
  rows: readonly { readonly account: string; readonly amount: string }[],
): RoleTotalsDto {
  const sums: Record<keyof RoleTotalsDto, bigint> = {
    fund: 0n,
    providers: 0n,
    operators: 0n,
    members: 0n,
    escrows: 0n,
  };
  for (const row of rows) {
    const role = ROLE_OF_PREFIX[row.account.slice(0, row.account.indexOf(':'))];
    if (role) sums[role] += BigInt(row.amount);
  }
  return {
    fund: sums.fund.toString(),
    providers: sums.providers.toString(),
    operators: sums.operators.toString(),
    members: sums.members.toString(),
    escrows: sums.escrows.toString(),
  };
}
