import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createEvent,
  ResourceUsageReportedV1,
  SubscriberRegisteredV2,
  UsageRecordedV1,
  uuidV7,
} from '@onecommons/contracts';
import { replayService, type ReplayReport } from '@onecommons/service-kit';
import { RawProducer, startService, testStack, type RunningService } from '@onecommons/testing';
import { type LedgerConfig } from '../src/config.js';
import { ledgerService } from '../src/ledger.definition.js';
import { caughtUp, NO_SCHEDULED_CLOSES, publish } from './ledger-events.js';

// `replay --verify` on a ledger that keeps consuming: usage and the provisioner's running resource totals flow
// all through the replay, so the live projections move on while it runs. The verify compares both at the same
// positions in the log: clean while nothing drifted, and a tampered live row still fails it.

const PERIOD = '2099-11'; // far ahead: nothing closes it meanwhile
const ids = { subscriber: uuidV7(), service: uuidV7(), provider: uuidV7() };
let ledger: RunningService<LedgerConfig>;
let producer: RawProducer;

/** Usage and resource reports, one of each every few milliseconds, until stopped. */
class SteadyTraffic {
  sent = 0;
  private running = true;
  private readonly done: Promise<void>;

  constructor() {
    this.done = this.loop();
  }

  private async loop(): Promise<void> {
    while (this.running) {
      this.sent++;
      await publish(producer, [
        createEvent(
          UsageRecordedV1,
          {
            subscriberId: ids.subscriber,
            period: PERIOD,
            usage: [{ serviceId: ids.service, meter: 'requests', quantity: '1', events: 1 }],
            recordedAt: new Date().toISOString(),
          },
          { source: '/onecommons/metering' },
        ),
        createEvent(
          ResourceUsageReportedV1,
          {
            serviceId: ids.service,
            providerId: ids.provider,
            period: PERIOD,
            points: String(this.sent * 10),
            uptimeSeconds: String(this.sent),
            reportedAt: new Date().toISOString(),
          },
          { source: '/onecommons/provisioner' },
        ),
      ]);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** Resolves once `more` further rounds were sent. */
  async atLeast(more: number): Promise<void> {
    const target = this.sent + more;
    while (this.sent < target) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }
}

const verify = () =>
  replayService(ledgerService, ledger.config, testStack().postgresAdminUrl, {
    from: { kind: 'earliest' },
    verify: true,
    keep: false,
    // Many small fetches and chunks per partition: the replay must carry on from one to the next.
    chunkSize: 7,
    fetchBytesPerPartition: 4_096,
  });

/** A verify that runs wholly under traffic: some is sent before it starts and some after it ended. */
async function verifyUnderTraffic(): Promise<{ report: ReplayReport; sentDuring: number }> {
  const traffic = new SteadyTraffic();
  try {
    await traffic.atLeast(20);
    const before = traffic.sent;
    const report = await verify();
    await traffic.atLeast(1);
    return { report, sentDuring: traffic.sent - before };
  } finally {
    await traffic.stop();
  }
}

beforeAll(async () => {
  ledger = await startService(ledgerService, { env: { ...NO_SCHEDULED_CLOSES } });
  producer = await RawProducer.connect();
  await publish(producer, [
    createEvent(
      SubscriberRegisteredV2,
      { subscriberId: ids.subscriber, emailVerified: true, registeredAt: new Date().toISOString() },
      { source: '/onecommons/identity' },
    ),
  ]);
  await caughtUp(ledger);
});

afterAll(async () => {
  await producer.stop();
  await ledger.stop();
});

describe('replay --verify under steady traffic', () => {
  it('compares at the same log positions and finds the rebuild identical', async () => {
    const { report, sentDuring } = await verifyUnderTraffic();
    expect(sentDuring).toBeGreaterThan(0);
    const rows = Object.fromEntries(report.rebuilt.tables.map((table) => [table.table, table.rows]));
    expect(rows['provider_resource_points']).toBeGreaterThanOrEqual(1);
    expect(rows['usage_quantities']).toBeGreaterThanOrEqual(1);
    expect({ identical: report.identical, live: report.live?.digest }).toEqual({
      identical: true,
      live: report.rebuilt.digest,
    });
  });

  it('still tells a tampered live projection from its rebuild', async () => {
    // A quantity changed behind the ledger's back: the traffic only ever adds to it, so the drift stays.
    await ledger.query(
      'UPDATE usage_quantities SET quantity = quantity + 7 WHERE period = $1 AND subscriber_id = $2',
      [PERIOD, ids.subscriber],
    );
    const { report } = await verifyUnderTraffic();
    expect(report.identical).toBe(false);
    const differing = report.rebuilt.tables
      .filter(
        (table) => report.live?.tables.find((live) => live.table === table.table)?.digest !== table.digest,
      )
      .map((table) => table.table);
    expect(differing).toEqual(['usage_quantities']);
  });
});
