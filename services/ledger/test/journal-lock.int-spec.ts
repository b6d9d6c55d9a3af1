import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { uuidV7 } from '@onecommons/contracts';
import { eventually, RawProducer, type RunningService, startService } from '@onecommons/testing';
import { type LedgerConfig } from '../src/config.js';
import { ledgerService } from '../src/ledger.definition.js';
import { PeriodCloser } from '../src/periods/period-closer.js';
import { subscriberEscrowsOf } from '../src/treasury/accounts.js';
import {
  caughtUp,
  connectionInSchema,
  operatedService,
  paymentCaptured,
  publish,
  testCurrency,
  usageRecorded,
} from './ledger-events.js';
import { MeteringStandIn } from './metering-stand-in.js';

// A close reads its period beside the journal and takes the journal lock only to post, so mints go on while it
// reads. The test holds the read up by locking usage_quantities. Usage any other test file published meanwhile
// would wait behind that lock, and in one kafkajs consumer a partition that waits holds up every other: so this
// file runs alone, on topics emptied before it (jest.config.js).

/** A close read while mints go on, and the period of one of those mints. */
const READ_BESIDE = '2099-04';
const MINTED_MEANWHILE = '2099-05';
const CUR = testCurrency();

let ledger: RunningService<LedgerConfig>;
let producer: RawProducer;
let metering: MeteringStandIn;

const ids = {
  operator: uuidV7(),
  service: uuidV7(),
  alice: uuidV7(),
  bob: uuidV7(),
  type: `web-${uuidV7().slice(-8)}`,
  meter: `seconds_${uuidV7().slice(-8)}`,
};

const usage = (subscriberId: string, period: string, quantity: string) =>
  usageRecorded({ subscriberId, period, serviceId: ids.service, meter: ids.meter }, quantity);

beforeAll(async () => {
  ledger = await startService(ledgerService, {
    env: { LEDGER_CURRENCY: CUR, LEDGER_MIN_SUBSCRIBERS_PER_SERVICE: 'off' },
  });
  producer = await RawProducer.connect();
  metering = new MeteringStandIn(producer);
  await publish(producer, operatedService(ids));
});

afterAll(async () => {
  await producer?.stop();
  await ledger?.stop();
});

describe('the journal lock', () => {
  it('is not held while a close reads its period: mints go on, and one of the period itself is counted', async () => {
    await publish(producer, [
      paymentCaptured({ subscriber: ids.alice, period: READ_BESIDE, amountMinor: '1000', currency: CUR }),
      usage(ids.alice, READ_BESIDE, '30'),
    ]);
    await caughtUp(ledger);
    await metering.seal([READ_BESIDE]);
    await caughtUp(ledger);
    // The close's read of the usage waits behind this lock, as a long read would take its time.
    const reader = await connectionInSchema(ledger.schema);
    let closing: Promise<unknown> | undefined;
    try {
      await reader.query('BEGIN');
      await reader.query('LOCK TABLE usage_quantities IN ACCESS EXCLUSIVE MODE');
      closing = ledger.app.get(PeriodCloser).close(READ_BESIDE, { force: true, waitSeconds: 0 });
      await eventually('the close to be reading the period', async () => {
        const [waiting] = await ledger.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_locks
            WHERE locktype = 'relation' AND NOT granted AND relation = 'usage_quantities'::regclass`,
        );
        return (waiting?.n ?? 0) > 0 ? true : undefined;
      });
      // Payments captured meanwhile: one of another period, one of the period being closed (Bob's).
      await publish(producer, [
        paymentCaptured({
          subscriber: ids.alice,
          period: MINTED_MEANWHILE,
          amountMinor: '1000',
          currency: CUR,
        }),
        paymentCaptured({ subscriber: ids.bob, period: READ_BESIDE, amountMinor: '500', currency: CUR }),
      ]);
      await eventually('both payments to be minted while the close reads', async () => {
        const rows = await ledger.query(
          `SELECT period FROM subscriber_tokens WHERE (period, subscriber_id) IN (($1, $2::uuid), ($3, $4::uuid))`,
          [MINTED_MEANWHILE, ids.alice, READ_BESIDE, ids.bob],
        );
        return rows.length === 2 ? true : undefined;
      });
      expect(await ledger.query('SELECT period FROM period_closes WHERE period = $1', [READ_BESIDE])).toEqual(
        [],
      );
    } finally {
      await reader.query('COMMIT');
      await reader.end();
    }
    await closing;
    // Bob's mint landed after the close's snapshot: the close read the period again under the lock and emptied
    // his escrow with Alice's. The mint of the other period came before the close in the chain.
    expect(
      await ledger.query(
        `SELECT account FROM ledger_balances WHERE account LIKE $1 AND unit = 'uCC' AND balance <> 0`,
        [subscriberEscrowsOf(READ_BESIDE)],
      ),
    ).toEqual([]);
    const chain = await ledger.query<{ kind: string; period: string }>(
      `SELECT kind, period FROM ledger_transactions WHERE period IN ($1, $2) ORDER BY seq`,
      [READ_BESIDE, MINTED_MEANWHILE],
    );
    const steps = chain.map((row) => `${row.kind} ${row.period}`);
    expect(steps[0]).toBe(`mint ${READ_BESIDE}`);
    expect(steps.slice(1, 3).sort()).toEqual([`mint ${MINTED_MEANWHILE}`, `mint ${READ_BESIDE}`].sort());
    expect(steps[3]).toBe(`period_close ${READ_BESIDE}`); // then its settlement's redemptions
  });
});
