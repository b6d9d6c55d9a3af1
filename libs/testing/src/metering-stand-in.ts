import {
  announcedPeriods,
  createEvent,
  type DataOf,
  eventCatalogue,
  TOPICS,
  UsagePeriodSealedV1,
  UsageRecordedV2,
} from '@onecommons/contracts';
import { type RawProducer, TopicProbe } from './kafka-probe.js';

const USAGE_TOPIC = TOPICS.meteringUsage.name;

/**
 * Plays metering's part of a close for tests that run a ledger without metering (docs/trust-rules.md): seals periods with
 * the number of UsageRecorded events published for them, as metering does when the ledger asks to close one. The
 * usage topic is shared by every test of the run, so the count is of every valid UsageRecorded of the period on
 * it (distinct ids, as the ledger applies an id once), not only this test's.
 */
export class MeteringStandIn {
  constructor(private readonly producer: RawProducer) {}

  /** Seals each period with what was announced for it so far (`extra` more, to leave the ledger behind). */
  async seal(
    periods: readonly string[],
    { extra = 0n }: { extra?: bigint } = {},
  ): Promise<Map<string, bigint>> {
    const counts = await this.announcements(periods);
    for (const period of periods) await this.sealWith(period, (counts.get(period) ?? 0n) + extra);
    return counts;
  }

  /** Publishes the watermark of a period as metering does (any count: tests of a wrong one). */
  async sealWith(
    period: string,
    announcements: bigint,
    reason: 'close_requested' | 'period_closed' = 'close_requested',
  ) {
    const event = createEvent(
      UsagePeriodSealedV1,
      { period, announcements: announcements.toString(), reason, sealedAt: new Date().toISOString() },
      { source: '/onecommons/metering' },
    );
    await this.producer.send(USAGE_TOPIC, event.subject, JSON.stringify(event));
    return event;
  }

  /** Distinct valid UsageRecorded ids per period on the usage topic, read to its end as of now. */
  async announcements(periods: readonly string[]): Promise<Map<string, bigint>> {
    const probe = await TopicProbe.start([USAGE_TOPIC]);
    try {
      await probe.readToEnd();
      const ids = new Map(periods.map((period) => [period, new Set<string>()]));
      for (const message of probe.messages) {
        const event = parseUsageRecorded(message.value);
        if (!event) continue;
        for (const period of event.periods) ids.get(period)?.add(event.id);
      }
      return new Map([...ids].map(([period, set]) => [period, BigInt(set.size)]));
    } finally {
      await probe.stop();
    }
  }
}

/** A valid UsageRecorded of any version, with the periods it counts toward. */
function parseUsageRecorded(value: string | undefined): { id: string; periods: string[] } | undefined {
  const decoded = eventCatalogue.decode(value ?? '');
  if (!decoded.ok || decoded.event.type !== UsageRecordedV2.type) return undefined;
  const data = decoded.event.data as DataOf<typeof UsageRecordedV2>;
  return { id: decoded.event.id, periods: announcedPeriods(data) };
}
