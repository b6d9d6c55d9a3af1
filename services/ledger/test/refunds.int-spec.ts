import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { uuidV7 } from '@onecommons/contracts';
import { MeteringStandIn, RawProducer, type RunningService, startService } from '@onecommons/testing';
import { DataSource } from 'typeorm';
import { type LedgerConfig } from '../src/config.js';
import { ledgerService } from '../src/ledger.definition.js';
import { PeriodStatements } from '../src/periods/period-statements.js';
import { PeriodPrices } from '../src/treasury/period-prices.js';
import { mintFor, type Price, reserveCovers } from '../src/treasury/treasury-math.js';
import { type VerifyReport } from '../src/verify/ledger-verifier.js';
import {
  caughtUp,
  disputeFunds,
  NO_SCHEDULED_CLOSES,
  operatedService,
  paymentCaptured,
  paymentRefunded,
  publish,
  type ReversedPayment,
  testCurrency,
  usageRecorded,
  verifyLedgerSchema,
} from './ledger-events.js';
import { sealAndClose } from './metering-stand-in.js';

// Refunds and disputes in the ledger (docs/money-rules.md, "Refunds and disputes"): before the close the
// refunded share of the tokens is burned from the escrow and the currency leaves the reserve; after it the
// reserve bears the loss and the valuation price absorbs it; a dispute won undoes its withdrawal exactly.
// Every test ends with `commons ledger verify` consistent. The steps build on each other, in order.

const CUR = testCurrency();
const RESERVE_BPS = 1_000n;
// Periods of this run alone: other files' closes of their own periods never coincide with these.
const YEAR = 2100 + Math.floor(Math.random() * 800);
const period = (month: number) => `${YEAR}-${String(month).padStart(2, '0')}`;
const [A, B, C, D] = [period(1), period(2), period(3), period(4)];
const RACES = [period(5), period(6), period(7)];
const ids = {
  type: `web-${uuidV7().slice(-8)}`,
  meter: `s_${uuidV7().slice(-8)}`,
  service: uuidV7(),
  operator: uuidV7(),
};
const operator = `operator:${ids.operator}`;

let ledger: RunningService<LedgerConfig>;
let producer: RawProducer;

beforeAll(async () => {
  ledger = await startService(ledgerService, {
    env: {
      LEDGER_CURRENCY: CUR,
      LEDGER_RESERVE_BPS: RESERVE_BPS.toString(),
      LEDGER_MIN_SUBSCRIBERS_PER_SERVICE: 'off',
      ...NO_SCHEDULED_CLOSES,
    },
  });
  producer = await RawProducer.connect();
  // One service whose operator takes all of a subscriber's fee but the fund's share (no providers, no project).
  await publish(producer, operatedService(ids, { providerBps: 3000, developerBps: 2000 }));
  await caughtUp(ledger);
});

afterAll(async () => {
  await producer.stop();
  await ledger.stop();
});

/** Every close of this file goes through here: metering's stand-in seals the period first. */
const closePeriod = (closing: string) => sealAndClose(ledger, new MeteringStandIn(producer), closing);

async function pay(subscriber: string, paid: string, amountMinor: string): Promise<ReversedPayment> {
  const paymentId = uuidV7();
  await publish(producer, [
    paymentCaptured({ subscriber, period: paid, amountMinor, currency: CUR, paymentId }),
  ]);
  await caughtUp(ledger);
  return { subscriber, paymentId, period: paid, currency: CUR };
}

async function deliver(...events: Parameters<typeof publish>[1]): Promise<void> {
  await publish(producer, events);
  await caughtUp(ledger);
}

async function balance(account: string, unit = CUR): Promise<bigint> {
  const [row] = await ledger.query<{ balance: string }>(
    'SELECT balance::text AS balance FROM ledger_balances WHERE account = $1 AND unit = $2',
    [account, unit],
  );
  return BigInt(row?.balance ?? '0');
}

const escrow = (payment: ReversedPayment) =>
  balance(`subscriber:${payment.subscriber}:${payment.period}`, 'uCC');
const outstanding = async () => -(await balance('treasury:issued', 'uCC'));
const valuation = (): Promise<Price> =>
  ledger.app.get(PeriodPrices).valuation(ledger.app.get(DataSource).manager);

async function reversalsOf(payment: ReversedPayment) {
  return ledger.query<{ kind: string; effect: string; amount: string; tokens: string; period: string }>(
    `SELECT r.kind, r.effect, r.amount_minor::text AS amount, r.tokens_burned::text AS tokens, t.period
       FROM payment_reversals r JOIN ledger_transactions t ON t.key = r.transaction_key
      WHERE r.payment_id = $1 ORDER BY t.seq`,
    [payment.paymentId],
  );
}

/** What `commons ledger verify` checks holds (the command itself is tested in treasury.int-spec.ts). */
async function expectConsistent(): Promise<VerifyReport> {
  const report = await verifyLedgerSchema(ledger, CUR);
  expect({ ok: report.ok, firstViolation: report.firstViolation }).toEqual({
    ok: true,
    firstViolation: null,
  });
  expect(BigInt(report.reserve.reserve)).toBe(BigInt(report.reserve.claims) + BigInt(report.reserve.residue));
  expect(BigInt(report.reserve.residue)).toBeGreaterThanOrEqual(0n);
  return report;
}

const tokensFor = (paid: bigint, price: Price) => mintFor(paid, price, RESERVE_BPS).tokens;

describe('a refund before the close', () => {
  const s1 = uuidV7();
  const s2 = uuidV7();
  let payment: ReversedPayment;

  it('partial then the rest: burns exactly the refunded share of the tokens, and takes the currency from the reserve', async () => {
    // The run's first payments: price 1/1, 10% retained. s1 pays 1000 → 900 CC; s2 pays 500 → 450 CC.
    payment = await pay(s1, A, '1000');
    await pay(s2, A, '500');
    expect(await escrow(payment)).toBe(900_000_000n);
    expect(await balance('treasury:reserve')).toBe(1_500n);

    const first = paymentRefunded(payment, '300', { reason: 'duplicate' });
    await deliver(first);
    // ceil(900,000,000 × 300 / 1000) = 270,000,000 uCC burned; 300 leave the reserve.
    expect(await escrow(payment)).toBe(630_000_000n);
    expect(await balance('treasury:reserve')).toBe(1_200n);
    expect(await outstanding()).toBe(1_080_000_000n);
    await expectConsistent();

    await deliver(paymentRefunded(payment, '700'));
    // The rest burns the rest: ceil(900,000,000 × 1000 / 1000) − 270,000,000 = 630,000,000.
    expect(await escrow(payment)).toBe(0n);
    expect(await balance('treasury:reserve')).toBe(500n);
    expect(await balance('payments:refunded')).toBe(1_000n);
    expect(await outstanding()).toBe(450_000_000n);
    expect(await reversalsOf(payment)).toEqual([
      { kind: 'refund', effect: 'tokens_burned', amount: '300', tokens: '270000000', period: A },
      { kind: 'refund', effect: 'tokens_burned', amount: '700', tokens: '630000000', period: A },
    ]);
    expect(
      await ledger.query(
        'SELECT tokens::text AS tokens FROM subscriber_tokens WHERE period = $1 AND subscriber_id = $2',
        [A, s1],
      ),
    ).toEqual([{ tokens: '0' }]);
    expect((await expectConsistent()).reserve).toMatchObject({
      reserve: '500',
      outstanding: '450000000',
      price: '1/1',
    });
  });

  it('the close allocates only what is left, and the statement shows the refunds with their reasons and effects', async () => {
    expect(await closePeriod(A)).toMatchObject({ total: '450000000' });
    const statement = await ledger.app.get(PeriodStatements).subscriber(s1, A);
    expect(statement).toMatchObject({
      tokens: '0',
      services: [],
      reversals: [
        {
          kind: 'refund',
          reason: 'duplicate',
          amountMinor: '300',
          effect: 'tokens_burned',
          tokensBurned: '270000000',
          postedIn: A,
        },
        {
          kind: 'refund',
          reason: 'requested_by_customer',
          amountMinor: '700',
          effect: 'tokens_burned',
          postedIn: A,
        },
      ],
    });
    expect((await ledger.app.get(PeriodStatements).subscriber(s2, A)).reversals).toEqual([]);
    await expectConsistent();
  });
});

describe('a refund after the close', () => {
  const s3 = uuidV7();
  let payment: ReversedPayment;
  let payable: bigint;

  it('is a loss of the reserve in the current period: tokens stay outstanding, the price is cut, no payee is touched', async () => {
    // B is priced at reserve / outstanding = 500 / 450 CC = 10/9; 2000 paid, 200 retained, 1800 × 9/10 = 1620 CC.
    payment = await pay(s3, B, '2000');
    expect(await escrow(payment)).toBe(1_620_000_000n);
    await deliver(
      usageRecorded({ subscriberId: s3, period: B, serviceId: ids.service, meter: ids.meter }, '3600'),
    );
    await closePeriod(B);
    // 5% to the fund (81 CC); the operator's 1539 CC redeem at 10/9 for 1710.
    payable = await balance(`payable:${operator}`);
    expect(payable).toBe(1_710n);
    expect(await balance('treasury:reserve')).toBe(790n);
    expect(await outstanding()).toBe(531_000_000n);
    const closeEntries = await ledger.query(
      'SELECT * FROM ledger_entries WHERE transaction_key = $1 ORDER BY line',
      [`close:${B}`],
    );

    await deliver(paymentRefunded(payment, '600'));
    expect(await balance('treasury:reserve')).toBe(190n);
    expect(await balance('treasury:refund-losses')).toBe(600n);
    expect(await outstanding()).toBe(531_000_000n);
    expect(await balance(`payable:${operator}`)).toBe(payable);
    expect(
      await ledger.query('SELECT * FROM ledger_entries WHERE transaction_key = $1 ORDER BY line', [
        `close:${B}`,
      ]),
    ).toEqual(closeEntries);
    expect(await reversalsOf(payment)).toEqual([
      { kind: 'refund', effect: 'reserve_loss', amount: '600', tokens: '0', period: C },
    ]);
    // 190 no longer covers 531 CC at 10/9: the valuation is cut to 190/531, and the reserve covers again.
    const price = await valuation();
    expect(price).toEqual({ num: 190n, den: 531n });
    expect(reserveCovers(190n, 531_000_000n, price)).toBe(true);
    expect(await ledger.query('SELECT num::text, den::text FROM price_cuts')).toEqual([
      { num: '190', den: '531' },
    ]);
    expect((await ledger.app.get(PeriodStatements).subscriber(s3, B)).reversals).toMatchObject([
      { amountMinor: '600', effect: 'reserve_loss', tokensBurned: '0', postedIn: C },
    ]);
    expect((await expectConsistent()).reserve).toMatchObject({
      reserve: '190',
      price: '190/531',
      residue: '0',
    });
  });

  it('beyond what the reserve can bear: the reserve keeps one unit, the platform advances the rest', async () => {
    await deliver(paymentRefunded(payment, '1400'));
    expect(await balance('treasury:reserve')).toBe(1n);
    expect(await balance('treasury:refund-shortfall')).toBe(-1_211n);
    expect(await balance('treasury:refund-losses')).toBe(2_000n);
    expect(await balance(`payable:${operator}`)).toBe(payable);
    expect(await valuation()).toEqual({ num: 1n, den: 531n });
    await expectConsistent();
  });

  it('is refused beyond what the payment paid (the event is dead-lettered, nothing posted)', async () => {
    const before = await reversalsOf(payment);
    await deliver(paymentRefunded(payment, '1'));
    expect(await reversalsOf(payment)).toEqual(before);
    expect(await balance('treasury:refund-losses')).toBe(2_000n);
    await expectConsistent();
  });
});

describe('a dispute, its funds withdrawn then reinstated (won)', () => {
  const s4 = uuidV7();
  const s5 = uuidV7();
  let price: Price;
  let fourth: ReversedPayment;
  let fifth: ReversedPayment;

  it('before the close: the withdrawal burns like a refund, the reinstatement re-mints exactly those tokens', async () => {
    price = await valuation();
    fourth = await pay(s4, C, '1000');
    const tokens = tokensFor(1_000n, price);
    expect(await escrow(fourth)).toBe(tokens);
    const reserve = await balance('treasury:reserve');
    const disputeId = uuidV7();
    await deliver(disputeFunds('withdrawn', fourth, '1000', disputeId));
    expect(await escrow(fourth)).toBe(0n);
    expect(await balance('treasury:reserve')).toBe(reserve - 1_000n);
    await expectConsistent();
    await deliver(disputeFunds('reinstated', fourth, '1000', disputeId));
    expect(await escrow(fourth)).toBe(tokens);
    expect(await balance('treasury:reserve')).toBe(reserve);
    expect((await reversalsOf(fourth)).map((row) => [row.effect, row.tokens])).toEqual([
      ['tokens_burned', tokens.toString()],
      ['tokens_reminted', (-tokens).toString()],
    ]);
    await expectConsistent();
  });

  it('withdrawn before the close, won after it: the tokens stay burned, the reserve regains the currency', async () => {
    fifth = await pay(s5, C, '600');
    const disputeId = uuidV7();
    await deliver(disputeFunds('withdrawn', fifth, '600', disputeId));
    const reserve = await balance('treasury:reserve');
    const close = await closePeriod(C);
    // Only s4's tokens are allocated: s5's were burned by the withdrawal.
    expect(BigInt(close.total)).toBe(tokensFor(1_000n, price));
    await deliver(disputeFunds('reinstated', fifth, '600', disputeId));
    expect(await escrow(fifth)).toBe(0n);
    expect(await balance('treasury:reserve')).toBe(reserve + 600n);
    expect(await balance('payments:refunded')).toBe(1_000n);
    expect((await reversalsOf(fifth)).map((row) => [row.effect, row.period])).toEqual([
      ['tokens_burned', C],
      ['reserve_regained', D],
    ]);
    await expectConsistent();
  });

  it('withdrawn after the close (lost for now), won later: a loss, then the reserve regains exactly it', async () => {
    const reserve = await balance('treasury:reserve');
    const supply = await outstanding();
    const disputeId = uuidV7();
    await deliver(disputeFunds('withdrawn', fourth, '400', disputeId));
    expect(await balance('treasury:reserve')).toBe(reserve - 400n);
    expect(await balance('treasury:refund-losses')).toBe(2_400n);
    expect(await outstanding()).toBe(supply);
    await expectConsistent();
    await deliver(disputeFunds('reinstated', fourth, '400', disputeId));
    expect(await balance('treasury:reserve')).toBe(reserve);
    expect(await balance('treasury:refund-losses')).toBe(2_000n);
    expect(
      (await ledger.app.get(PeriodStatements).subscriber(s4, C)).reversals.map((row) => [
        row.kind,
        row.effect,
      ]),
    ).toEqual([
      ['dispute_withdrawal', 'tokens_burned'],
      ['dispute_reinstatement', 'tokens_reminted'],
      ['dispute_withdrawal', 'reserve_loss'],
      ['dispute_reinstatement', 'reserve_regained'],
    ]);
    await expectConsistent();
  });
});

describe('a replayed or duplicated event', () => {
  it('changes nothing twice: the same refund or dispute delivered again, or under another event id', async () => {
    const payment = await pay(uuidV7(), D, '700');
    const refundId = uuidV7();
    const refund = paymentRefunded(payment, '100', { refundId });
    const disputeId = uuidV7();
    const withdrawn = disputeFunds('withdrawn', payment, '200', disputeId);
    const reinstated = disputeFunds('reinstated', payment, '200', disputeId);
    await deliver(refund, refund, paymentRefunded(payment, '100', { refundId }), withdrawn, withdrawn);
    await deliver(reinstated, reinstated, disputeFunds('reinstated', payment, '200', disputeId));
    expect((await reversalsOf(payment)).map((row) => [row.kind, row.amount])).toEqual([
      ['refund', '100'],
      ['dispute_withdrawal', '200'],
      ['dispute_reinstatement', '200'],
    ]);
    expect(await balance(`subscriber:${payment.subscriber}:${D}`, 'uCC')).toBe(
      tokensFor(700n, await valuation()) - BigInt((await reversalsOf(payment))[0]!.tokens),
    );
    await expectConsistent();
  });
});

describe('a refund racing its period’s close', () => {
  it('lands wholly before it (burned, not allocated) or wholly after it (a loss, allocated), never both or neither', async () => {
    for (const racing of RACES) {
      const payment = await pay(uuidV7(), racing, '1000');
      const minted = await escrow(payment);
      const losses = await balance('treasury:refund-losses');
      const [, close] = await Promise.all([deliver(paymentRefunded(payment, '500')), closePeriod(racing)]);
      const [reversal] = await reversalsOf(payment);
      const burned = BigInt(reversal!.tokens);
      if (reversal!.effect === 'tokens_burned') {
        expect(burned).toBe((minted + 1n) / 2n);
        expect(BigInt(close.total)).toBe(minted - burned);
        expect(await balance('treasury:refund-losses')).toBe(losses);
      } else {
        expect(reversal!.effect).toBe('reserve_loss');
        expect(burned).toBe(0n);
        expect(BigInt(close.total)).toBe(minted);
        expect(await balance('treasury:refund-losses')).toBe(losses + 500n);
      }
      expect(await escrow(payment)).toBe(0n);
      await expectConsistent();
    }
  });
});
