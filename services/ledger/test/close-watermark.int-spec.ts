import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TOPICS, uuidV7 } from '@onecommons/contracts';
import {
  eventually,
  jsonRequest,
  RawProducer,
  runCommons,
  type RunningService,
  startService,
} from '@onecommons/testing';
import { type LedgerConfig } from '../src/config.js';
import { ledgerService } from '../src/ledger.definition.js';
import { PeriodCloser } from '../src/periods/period-closer.js';
import { holdPeriodUsage, PERIOD_USAGE_LOCK_KEY } from '../src/projections/usage-watermark.js';
import {
  caughtUp,
  connectionInSchema,
  ledgerEnvFile,
  operatedService,
  paymentCaptured,
  publish,
  testCurrency,
  usageRecorded,
} from './ledger-events.js';
import { LedgerIdentity } from './ledger-identity.js';
import { MeteringStandIn } from './metering-stand-in.js';

// docs/trust-rules.md "a close holds everything acknowledged for its period": the ledger closes a period only once metering
// has sealed it (its watermark: how many UsageRecorded it published for the period) and the ledger has applied
// exactly that many. Until then a close answers 409 usage_not_consumed, and the scheduler closes it once caught up.

/** Periods of this file alone: forced ones (not ended: for the scheduler's pickup, the lock, the CLI), a past one. */
const FORCED = '2099-01';
const LOCKED = '2099-02';
const PAST = '2022-01';
const CLI = '2099-03';
const CUR = testCurrency();
const REQUESTED = 'onecommons.ledger.period.close-requested.v1';

let accounts: LedgerIdentity;
let ledger: RunningService<LedgerConfig>;
let producer: RawProducer;
let metering: MeteringStandIn;
let userToken: string;

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

const api = (pathname: string) => `${ledger.url}/api/ledger/v1${pathname}`;

/** The admin's close, with the answer's `Retry-After`. */
async function close(period: string, body: Record<string, unknown> = { force: true }, credential?: string) {
  const response = await fetch(api(`/periods/${period}/close`), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${credential ?? accounts.adminToken}`,
    },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: (await response.json()) as {
      total?: string;
      merkleRoot?: string;
      error?: { code: string; field?: string; details?: Record<string, unknown> };
    },
  };
}

type PeriodView = {
  status: string;
  total?: string;
  merkleRoot?: string;
  usageWatermark: Record<string, unknown>;
  closeRequest: Record<string, unknown> | null;
};
const view = async (period: string, credential = userToken) =>
  (await jsonRequest<PeriodView>(api(`/periods/${period}`), 'GET', { credential })).body;

async function requestsSent(period: string): Promise<{ period: string; forced: boolean }[]> {
  const rows = await ledger.query<{ payload: string }>(
    'SELECT payload FROM outbox WHERE event_type = $1 AND message_key = $2 ORDER BY id',
    [REQUESTED, `period:${period}`],
  );
  return rows.map((row) => (JSON.parse(row.payload) as { data: { period: string; forced: boolean } }).data);
}

/** The usage quantity per subscriber a close's recorded input holds. */
async function closedUsage(period: string): Promise<Record<string, string>> {
  const input = await jsonRequest<{ usage: { subscriber: string; quantity: string }[] }>(
    api(`/periods/${period}/input`),
    'GET',
    { credential: accounts.adminToken },
  );
  expect(input.status).toBe(200);
  return Object.fromEntries(input.body.usage.map((row) => [row.subscriber, row.quantity]));
}

beforeAll(async () => {
  accounts = await LedgerIdentity.start();
  ledger = await startService(ledgerService, {
    env: {
      LEDGER_CURRENCY: CUR,
      ...accounts.ledgerEnv,
      // One subscriber per period here.
      LEDGER_MIN_SUBSCRIBERS_PER_SERVICE: 'off',
      LEDGER_CLOSE_WAIT_SECONDS: '1',
      LEDGER_CLOSE_SCHEDULE_SECONDS: '1',
    },
  });
  producer = await RawProducer.connect();
  metering = new MeteringStandIn(producer);
  userToken = await accounts.login('user');
  await publish(producer, [
    ...operatedService(ids),
    ...[FORCED, LOCKED, PAST, CLI].map((period) =>
      paymentCaptured({ subscriber: ids.alice, period, amountMinor: '1000', currency: CUR }),
    ),
    usage(ids.alice, FORCED, '100'),
    usage(ids.alice, FORCED, '20'),
    usage(ids.alice, LOCKED, '7'),
    usage(ids.bob, PAST, '5'),
    usage(ids.alice, PAST, '50'),
  ]);
  await caughtUp(ledger);
});

afterAll(async () => {
  await producer.stop();
  await ledger.stop();
  await accounts.stop();
});

// Metering services of other files would consume the same topics and seal what any ledger requests (with their own
// counts), so this file runs alone on the topics (jest.config.js, integration-replay): nothing answers but its
// stand-in.
describe('a close before metering’s watermark', () => {
  it('is refused as usage_not_consumed with the lag, requested once, and again only when unanswered', async () => {
    const closer = ledger.app.get(PeriodCloser);
    const refused = await closer
      .close(FORCED, { force: true, waitSeconds: 0 })
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({
      kind: 'conflict',
      code: 'usage_not_consumed',
      retryAfterSeconds: 5,
      lag: { sealed: false, announced: null, applied: '2', behind: null },
    });
    // Asked again before metering could answer: no second request.
    await expect(closer.close(FORCED, { force: true, waitSeconds: 0 })).rejects.toMatchObject({
      code: 'usage_not_consumed',
    });
    expect(await requestsSent(FORCED)).toEqual([
      { period: FORCED, forced: true, requestedAt: expect.any(String) },
    ]);
    // Unanswered for longer than LEDGER_CLOSE_REREQUEST_MINUTES: sent again.
    const later = new Date(Date.now() + (ledger.config.LEDGER_CLOSE_REREQUEST_MINUTES + 1) * 60_000);
    await expect(closer.close(FORCED, { force: true, now: later, waitSeconds: 0 })).rejects.toMatchObject({
      code: 'usage_not_consumed',
    });
    expect(await requestsSent(FORCED)).toHaveLength(2);
    expect(await view(FORCED)).toMatchObject({
      status: 'open',
      usageWatermark: { applied: '2' },
      closeRequest: { forced: true, lastRequestedAt: later.toISOString() },
    });
  });
});

describe('a close behind metering’s watermark', () => {
  it('is refused while the ledger has applied fewer events than metering announced', async () => {
    // Metering announced a third event the ledger has not received yet.
    await metering.seal([FORCED], { extra: 1n });
    await caughtUp(ledger);
    expect(await close(FORCED)).toMatchObject({
      status: 409,
      retryAfter: '5',
      body: {
        error: {
          code: 'usage_not_consumed',
          field: 'period',
          details: { sealed: true, announced: '3', applied: '2', behind: '1' },
        },
      },
    });
    expect(await view(FORCED)).toMatchObject({
      status: 'open',
      usageWatermark: {
        sealed: true,
        announced: '3',
        applied: '2',
        behind: '1',
        sealedAt: expect.any(String),
      },
    });
    const metrics = await (await fetch(`${ledger.url}/metrics`)).text();
    // Every service's metrics carry a `service` label.
    expect(metrics).toMatch(
      new RegExp(`onecommons_ledger_usage_announcements_behind\\{period="${FORCED}"[^}]*\\} 1\n`),
    );
    expect(metrics).toMatch(
      new RegExp(`onecommons_ledger_period_close_waiting_seconds\\{period="${FORCED}"[^}]*\\} [1-9]\\d*\n`),
    );
  });

  it('is closed by the scheduler once caught up, without another call, holding exactly the announced usage', async () => {
    await publish(producer, [usage(ids.alice, FORCED, '3')]);
    const closed = await eventually(
      'the scheduler to close the period',
      async () => {
        const state = await view(FORCED);
        return state.status === 'closed' ? state : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(closed).toMatchObject({
      usageWatermark: { sealed: true, announced: '3', applied: '3', behind: '0' },
      closeRequest: { forced: true },
    });
    expect(await closedUsage(FORCED)).toEqual({ [ids.alice]: '123' });
    expect(await close(FORCED)).toMatchObject({
      status: 200,
      body: { total: closed.total, merkleRoot: closed.merkleRoot },
    });
    // Gone from the gauges of open periods.
    expect(await (await fetch(`${ledger.url}/metrics`)).text()).not.toContain(
      `onecommons_ledger_usage_announcements_behind{period="${FORCED}"`,
    );
  });
});

describe('a close of a caught-up period', () => {
  it('closes at once, and a watermark sent twice changes nothing', async () => {
    const [announced] = (await metering.seal([PAST])).values();
    const again = await metering.sealWith(PAST, announced ?? 0n);
    // The same message delivered twice, and metering sealing it again with the same count.
    await producer.send(TOPICS.meteringUsage.name, again.subject, JSON.stringify(again));
    await caughtUp(ledger);
    expect(
      await ledger.query('SELECT period, announcements::text FROM usage_watermarks WHERE period = $1', [
        PAST,
      ]),
    ).toEqual([{ period: PAST, announcements: String(announced) }]);
    const closed = await close(PAST, {});
    expect(closed).toMatchObject({ status: 200, body: { total: '1000000000' } });
    // Bob has no tokens for the period (free tier): his usage moves no money, so it is not in the input.
    expect(await closedUsage(PAST)).toEqual({ [ids.alice]: '50' });
    expect(await requestsSent(PAST)).toEqual([
      { period: PAST, forced: expect.any(Boolean), requestedAt: expect.any(String) },
    ]);
  });
});

describe('the usage lock', () => {
  it('holds a close up while an event of the period is being applied, so the close sees it', async () => {
    await metering.seal([LOCKED]);
    await caughtUp(ledger);
    // An apply in flight, as the usage projection does it: the period's lock shared, then its effects.
    const apply = await connectionInSchema(ledger.schema);
    try {
      await apply.query('BEGIN');
      await holdPeriodUsage(apply, LOCKED, 'apply');
      await apply.query(
        `UPDATE usage_applied_counts SET applied = applied + 1
          WHERE (period, kafka_partition) = (SELECT period, kafka_partition FROM usage_applied_counts WHERE period = $1 LIMIT 1)`,
        [LOCKED],
      );
      await apply.query(`UPDATE usage_quantities SET quantity = quantity + 1 WHERE period = $1`, [LOCKED]);
      const closing = ledger.app.get(PeriodCloser).close(LOCKED, { force: true, waitSeconds: 0 });
      const settled = closing.then(
        () => 'closed',
        (error: unknown) => (error as { code?: string }).code,
      );
      // The close checked the counts without the event, and now waits for the lock the apply holds.
      await eventually('a close to wait for the period’s usage lock', async () => {
        const [waiting] = await ledger.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_locks
            WHERE locktype = 'advisory' AND NOT granted AND objsubid = 1
              AND ((classid::bigint << 32) | objid::bigint) = ${PERIOD_USAGE_LOCK_KEY}`,
          [LOCKED],
        );
        return (waiting?.n ?? 0) > 0 ? true : undefined;
      });
      await apply.query('COMMIT');
      // It then sees one event more than metering announced: refused, never frozen without it.
      expect(await settled).toBe('usage_beyond_watermark');
    } finally {
      await apply.end();
    }
    expect(await ledger.query('SELECT period FROM period_closes WHERE period = $1', [LOCKED])).toEqual([]);
    expect(await view(LOCKED)).toMatchObject({
      status: 'open',
      usageWatermark: { announced: '1', applied: '2', behind: '-1' },
    });
  });
});

describe('a close from the command line', () => {
  it('prints the lag and exits 3 while the usage is incomplete, and closes with --wait once it is', async () => {
    await publish(producer, [usage(ids.alice, CLI, '9')]);
    await caughtUp(ledger);
    const close = (wait: string) =>
      runCommons([
        'period',
        'close',
        '--period',
        CLI,
        '--force',
        '--wait',
        wait,
        '--env-file',
        ledgerEnvFile(ledger),
      ]);
    const waiting = await close('0');
    expect(waiting.code).toBe(3);
    expect(JSON.parse(waiting.stdout.trim())).toEqual({
      period: CLI,
      status: 'usage_not_consumed',
      usageWatermark: { sealed: false, announced: null, applied: '1', behind: null, sealedAt: null },
      retryAfterSeconds: 5,
    });
    expect(waiting.stderr).toContain(`metering has not sealed ${CLI} yet`);
    await metering.seal([CLI]);
    const closed = await close('60');
    expect({ code: closed.code, stderr: closed.code === 0 ? '' : closed.stderr }).toEqual({
      code: 0,
      stderr: '',
    });
    expect(JSON.parse(closed.stdout.trim())).toMatchObject({ period: CLI, status: 'closed' });
    expect((await runCommons(['period', 'close', '--period', CLI, '--wait', 'soon'])).code).toBe(2);
  });
});

describe('who may close and see the lag', () => {
  it('closes for admins only; shows any signed-in account the lag, nobody anonymous', async () => {
    expect(
      (await jsonRequest(api(`/periods/${LOCKED}/close`), 'POST', { body: { force: true } })).status,
    ).toBe(401);
    expect((await close(LOCKED, { force: true }, userToken)).status).toBe(403);
    expect((await jsonRequest(api(`/periods/${LOCKED}`), 'GET', {})).status).toBe(401);
    expect((await view(LOCKED, userToken)).usageWatermark).toMatchObject({ sealed: true });
  });
});
