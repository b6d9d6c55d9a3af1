import { Injectable } from '@nestjs/common';
import { bigintText, queryOne, queryRows } from '@onecommons/persistence';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';
import { TOKEN_UNIT } from '../journal/ledger-transaction.js';

export interface EscrowBalance {
  readonly account: string;
  readonly tokens: bigint;
}

const escrowBalanceRow = z
  .object({ account: z.string(), balance: bigintText })
  .transform((row): EscrowBalance => ({ account: row.account, tokens: row.balance }));

const amountRow = z.object({ amount: bigintText });

/** What a close's settlement reads: project escrows' token balances and what earlier closes allocated to them. */
@Injectable()
export class CloseSettlementRepository {
  /** Every project escrow holding tokens, in account order. */
  async escrowsHoldingTokens(manager: EntityManager): Promise<EscrowBalance[]> {
    return queryRows(
      manager,
      {
        name: 'closeSettlement.escrowsHoldingTokens',
        row: escrowBalanceRow,
        sql: `SELECT account, balance::text AS balance FROM ledger_balances
        WHERE unit = $1 AND account LIKE 'escrow:%' AND balance > 0 ORDER BY account`,
      },
      [TOKEN_UNIT],
    );
  }

  /** uCC the closes of the periods after `after` up to `through` allocated to the escrow account. */
  async allocatedToEscrow(
    manager: EntityManager,
    escrow: string,
    after: string,
    through: string,
  ): Promise<bigint> {
    const row = await queryOne(
      manager,
      {
        name: 'closeSettlement.allocatedToEscrow',
        row: amountRow,
        sql: `SELECT coalesce(sum((row ->> 'amount')::numeric), 0)::text AS amount
         FROM period_closes, json_array_elements(allocation -> 'allocations') AS row
        WHERE period > $1 AND period <= $2 AND row ->> 'account' = $3`,
      },
      [after, through, escrow],
    );
    return row.amount;
  }
}
