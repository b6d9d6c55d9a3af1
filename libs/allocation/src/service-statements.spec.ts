import { describe, expect, it } from '@jest/globals';
import { loadAllocationVectors } from '../test/allocation-vectors.js';
import { allocatePeriod } from './allocate-period.js';
import { parseAllocationInput } from './parse-allocation-input.js';
import { serviceStatements } from './service-statements.js';

describe('service statements', () => {
  it.each(loadAllocationVectors().map((vector) => [vector.name, vector] as const))(
    'in %s, account for each service’s share and match the provider and operator allocations',
    (_name, vector) => {
      const parsed = parseAllocationInput(vector.input);
      if (!parsed.ok) throw new Error(parsed.error.reason);
      const statements = serviceStatements(parsed.input);
      const credited = new Map<string, bigint>();
      for (const statement of statements) {
        const parts = statement.credits.reduce((sum, credit) => sum + credit.amount, 0n);
        expect(parts + (statement.developer?.amount ?? 0n)).toBe(statement.amount);
        for (const credit of statement.credits)
          credited.set(credit.account, (credited.get(credit.account) ?? 0n) + credit.amount);
      }
      for (const row of allocatePeriod(parsed.input).allocations)
        if (row.account.startsWith('provider:') || row.account.startsWith('operator:'))
          expect({ account: row.account, amount: credited.get(row.account) }).toEqual({
            account: row.account,
            amount: row.amount,
          });
    },
  );
});
