import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { uuidV7 } from '@onecommons/contracts';
import { RawProducer, serviceOf, startService, testStack, type RunningService } from '@onecommons/testing';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { type LedgerConfig } from '../src/config.js';
import { ledgerService } from '../src/ledger.definition.js';
import { Treasury, TreasuryError } from '../src/treasury/treasury.js';
import {
  caughtUp,
  commonsLedgerVerify,
  NO_SCHEDULED_CLOSES,
  paymentCaptured,
  publish,
  testCurrency,
  verifyLedgerSchema,
} from './ledger-events.js';

// PaymentCaptured → tokens, once; the entries are immutable in the database; verify finds a tampered entry.

let ledger: RunningService<LedgerConfig>;
let producer: RawProducer;
const runtime = new pg.Pool({ connectionString: serviceOf(testStack(), 'ledger').databaseUrl, max: 1 });
const CUR = testCurrency();

beforeAll(async () => {
  ledger = await startService(ledgerService, {
    env: { LEDGER_RESERVE_BPS: '1000', LEDGER_CURRENCY: CUR, ...NO_SCHEDULED_CLOSES },
  });
  producer = await RawProducer.connect();
});

afterAll(async () => {
  await producer.stop();
  await ledger.stop();
  await runtime.end();
});

const balance = async (account: string, unit: string) =>
  (
    await ledger.query<{ balance: string }>(
      'SELECT balance::text AS balance FROM ledger_balances WHERE account = $1 AND unit = $2',
      [account, unit],
    )
  )[0]?.balance;

async function asRuntimeRole(sql: string): Promise<unknown> {
  const client = await runtime.connect();
  try {
    await client.query(`SET search_path TO ${pg.escapeIdentifier(ledger.schema)}`);
    return await client.query(sql);
  } finally {
    client.release();
  }
}

describe('minting', () => {
  const subscriber = uuidV7();
  const paymentId = uuidV7();

  it('mints a captured payment once, however often it is delivered (and under another event id)', async () => {
    const event = paymentCaptured({
      subscriber,
      period: '2026-03',
      amountMinor: '1000',
      paymentId,
      currency: CUR,
    });
    const resent = paymentCaptured({
      subscriber,
      period: '2026-03',
      amountMinor: '1000',
      paymentId,
      currency: CUR,
    });
    await publish(producer, [event, event, resent]);
    await caughtUp(ledger);
    const transactions = await ledger.query(
      "SELECT key, kind, period FROM ledger_transactions WHERE memo->>'subscriber' = $1",
      [subscriber],
    );
    expect(transactions).toEqual([{ key: `payment:${paymentId}`, kind: 'mint', period: '2026-03' }]);
    // 10% retained (LEDGER_RESERVE_BPS=1000), 900 minor units mint 900 CC at the initial price.
    expect(await balance(`subscriber:${subscriber}:2026-03`, 'uCC')).toBe('900000000');
    expect(await balance('treasury:issued', 'uCC')).toBe('-900000000');
    expect(await balance('treasury:reserve', CUR)).toBe('1000');
    expect(await balance('payments:received', CUR)).toBe('-1000');
    expect(
      await ledger.query('SELECT tokens::text AS tokens FROM subscriber_tokens WHERE subscriber_id = $1', [
        subscriber,
      ]),
    ).toEqual([{ tokens: '900000000' }]);
    expect(
      await ledger.query('SELECT period, num::text, den::text, basis_reserve::text FROM period_prices'),
    ).toEqual([{ period: '2026-03', num: '1', den: '1', basis_reserve: '0' }]);
  });

  it('fixes a later period at reserve / outstanding, so held tokens gain what the reserve kept', async () => {
    await publish(producer, [
      paymentCaptured({ subscriber, period: '2026-04', amountMinor: '1000', currency: CUR }),
    ]);
    await caughtUp(ledger);
    // 1000 EUR back 900 CC: 10/9 minor units per CC; 900 EUR at 10/9 mint 810 CC.
    expect(
      await ledger.query("SELECT num::text, den::text FROM period_prices WHERE period = '2026-04'"),
    ).toEqual([{ num: '10', den: '9' }]);
    expect(await balance(`subscriber:${subscriber}:2026-04`, 'uCC')).toBe('810000000');
  });

  it('holds a payment in another currency on suspense and mints nothing', async () => {
    const other = uuidV7();
    const foreign = paymentCaptured({
      subscriber: other,
      period: '2026-03',
      amountMinor: '700',
      currency: 'USD',
    });
    await publish(producer, [foreign]);
    await caughtUp(ledger);
    expect(
      await ledger.query(
        'SELECT account, unit, amount::text FROM ledger_entries WHERE transaction_key = $1 ORDER BY line',
        [`payment:${foreign.data.paymentId}`],
      ),
    ).toEqual([
      { account: 'payments:received', unit: 'USD', amount: '-700' },
      { account: 'suspense:foreign-currency', unit: 'USD', amount: '700' },
    ]);
    expect(await ledger.query('SELECT 1 FROM subscriber_tokens WHERE subscriber_id = $1', [other])).toEqual(
      [],
    );
    const metrics = await (await fetch(`${ledger.url}/metrics`)).text();
    expect(metrics).toMatch(/onecommons_ledger_foreign_currency_payments_total\{currency="USD"[^}]*\} [1-9]/);
  });

  it('redeems at the period price, once per key, and refuses more tokens than the holder has', async () => {
    const treasury = ledger.app.get(Treasury);
    const dataSource = ledger.app.get(DataSource);
    const holder = `subscriber:${subscriber}:2026-03`;
    const redemption = { key: `redeem:test:${uuidV7()}`, holder, period: '2026-03', tokens: 1_500_000n };
    const first = await dataSource.transaction((manager) => treasury.redeem(manager, redemption));
    expect(first).toEqual({ posted: true, paid: 1n }); // 1.5 CC at 1 minor unit per CC, floored
    const again = await dataSource.transaction((manager) => treasury.redeem(manager, redemption));
    expect(again).toEqual({ posted: false, paid: 1n });
    expect(await balance(`payable:${holder}`, CUR)).toBe('1');
    expect(await balance(holder, 'uCC')).toBe('898500000');
    await expect(
      dataSource.transaction((manager) =>
        treasury.redeem(manager, {
          key: `redeem:test:${uuidV7()}`,
          holder,
          period: '2026-03',
          tokens: 10n ** 12n,
        }),
      ),
    ).rejects.toThrow(TreasuryError);
  });
});

describe('immutability', () => {
  it('keeps one linear chain past ten transactions (the head is the highest seq as a number)', async () => {
    const payments = Array.from({ length: 12 }, () =>
      // Another currency: each posts a suspense transaction, leaving this test's reserve as the others expect.
      paymentCaptured({
        subscriber: uuidV7(),
        period: '2026-04',
        amountMinor: '100',
        currency: CUR === 'XTS' ? 'XXX' : 'XTS',
      }),
    );
    await publish(producer, payments);
    await caughtUp(ledger);
    const chain = await ledger.query<{ seq: string; key: string }>(
      'SELECT t.seq::text AS seq, t.key FROM ledger_transactions t ORDER BY t.seq',
    );
    expect(chain.length).toBeGreaterThanOrEqual(12);
    expect(chain.map((row) => row.seq)).toEqual(chain.map((_row, index) => String(index + 1)));
    for (const payment of payments)
      expect(chain.map((row) => row.key)).toContain(
        `payment:${(payment.data as { paymentId: string }).paymentId}`,
      );
    expect((await verifyLedgerSchema(ledger, CUR)).ok).toBe(true);
  });

  it('refuses UPDATE, DELETE and TRUNCATE of entries to the service’s runtime role', async () => {
    for (const sql of [
      'UPDATE ledger_entries SET amount = amount + 1',
      'DELETE FROM ledger_entries',
      'TRUNCATE ledger_entries CASCADE',
      'UPDATE ledger_transactions SET kind = $$x$$',
      'DELETE FROM period_prices',
    ]) {
      await expect(asRuntimeRole(sql)).rejects.toMatchObject({ code: '42501' });
    }
    await expect(asRuntimeRole('SELECT count(*) FROM ledger_entries')).resolves.toBeDefined();
  });

  it('the trigger stops even the admin role', async () => {
    await expect(ledger.query('UPDATE ledger_entries SET amount = amount + 1')).rejects.toThrow(
      /UPDATE on ledger_entries is not allowed; the ledger is append-only/,
    );
    await expect(ledger.query('DELETE FROM ledger_transactions')).rejects.toThrow(/append-only/);
    await expect(ledger.query('TRUNCATE ledger_entries CASCADE')).rejects.toThrow(/append-only/);
  });
});

describe('verify', () => {
  it('holds on an untouched ledger, through `commons ledger verify`', async () => {
    const report = await verifyLedgerSchema(ledger, CUR);
    expect(report).toMatchObject({
      ok: true,
      firstViolation: null,
      reserve: { reserve: '1999', currency: CUR },
    });
    expect(report.transactions).toBeGreaterThanOrEqual(4);
    expect(BigInt(report.reserve.residue)).toBeGreaterThanOrEqual(0n);
    expect(BigInt(report.reserve.reserve)).toBe(
      BigInt(report.reserve.claims) + BigInt(report.reserve.residue),
    );
    const cli = commonsLedgerVerify(ledger);
    expect(cli.status).toBe(0);
    expect(cli.report).toMatchObject({ ok: true, firstViolation: null, schema: ledger.schema });
  });

  it('fails naming the transaction whose entry was tampered with (as admin, trigger disabled)', async () => {
    const [target] = await ledger.query<{ key: string; seq: string }>(
      "SELECT key, seq::text FROM ledger_transactions WHERE period = '2026-04' AND kind = 'mint'",
    );
    await ledger.query('ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_immutable');
    const changed = await ledger.query(
      "UPDATE ledger_entries SET amount = amount + 3 WHERE transaction_key = $1 AND account = 'treasury:reserve' RETURNING line",
      [target?.key],
    );
    expect(changed).toHaveLength(1);
    await ledger.query('ALTER TABLE ledger_entries ENABLE TRIGGER ledger_entries_immutable');
    // An entry slipped in outside any transaction (the table has no per-row reference: streamed closes copy entries).
    await ledger.query(
      "INSERT INTO ledger_entries (transaction_key, line, account, unit, amount) VALUES ('ghost:1', 1, 'ghost', 'XXX', 5)",
    );
    const cli = commonsLedgerVerify(ledger);
    expect(cli.report).toMatchObject({ ok: false });
    expect(cli.status).toBe(1);
    expect(cli.report.ok).toBe(false);
    expect(cli.report.firstViolation).toBe(
      `transaction ${target?.key} (seq ${target?.seq}): hash does not match its contents (tampered)`,
    );
    expect(cli.stderr).toContain(`transaction ${target?.key} (seq ${target?.seq})`);
    const messages = (await verifyLedgerSchema(ledger, CUR)).violations.map((violation) => violation.message);
    expect(messages).toContain(`transaction ${target?.key}: ${CUR} sums to 3, not 0`);
    expect(messages).toContain(`balance treasury:reserve ${CUR} is 1999, but its entries sum to 2002`);
    expect(messages).toContain('1 entries of ghost:1 belong to no transaction in the chain');
  });
});
