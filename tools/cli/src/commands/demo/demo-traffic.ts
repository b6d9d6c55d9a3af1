import { createHash } from 'node:crypto';
import { periodStart, type UsageReportEvent, USAGE_REPORT_TYPE } from '@onecommons/contracts';

export interface TrafficService {
  readonly id: string;
  readonly apiKey: string;
}

const DAY_MS = 86_400_000;

/** A number in [0, 1) fixed by the seed: the same month of traffic every run, so reruns send the same events. */
function unit(...parts: (string | number)[]): number {
  return createHash('sha256').update(parts.join(':')).digest().readUInt32BE(0) / 2 ** 32;
}

/**
 * A month of subscribers using the demo's services, from the period's first day to now: each subscriber uses
 * two or three favourite services most days, for a while (active seconds) with requests, some storing data.
 * Event ids come from the day, subscriber, service and meter (never minted per send), so a rerun or a retry
 * repeats ids and metering counts each event once.
 */
export function monthOfTraffic(
  period: string,
  subscribers: readonly string[],
  services: readonly TrafficService[],
  now: Date,
): Map<string, UsageReportEvent[]> {
  const start = periodStart(period).getTime();
  const days = Math.max(1, Math.min(31, Math.floor((now.getTime() - start) / DAY_MS) + 1));
  const byService = new Map<string, UsageReportEvent[]>(services.map((service) => [service.id, []]));
  for (const [subscriberIndex, subscriber] of subscribers.entries()) {
    const favourites = services.filter(
      (service, serviceIndex) => unit(period, subscriber, service.id) < (serviceIndex % 3 === 0 ? 0.6 : 0.3),
    );
    const used =
      favourites.length > 0 ? favourites : [services[subscriberIndex % services.length] as TrafficService];
    for (let day = 0; day < days; day += 1) {
      // Each subscriber's day starts at its own time (from 09:00); a day not yet reached sends nothing yet.
      const time = start + day * DAY_MS + (subscriberIndex * 37 + 9 * 60) * 60_000;
      if (time > now.getTime() - 60_000) continue;
      for (const service of used) {
        if (unit(period, subscriber, service.id, day) < 0.25) continue; // a day off
        const activeSeconds = 300 + Math.floor(unit('active', subscriber, service.id, day) * 3300);
        const requests = 5 + Math.floor(unit('requests', subscriber, service.id, day) * 200);
        const meters: [string, number][] = [
          ['active_seconds', activeSeconds],
          ['requests', requests],
        ];
        if (unit('storage', subscriber, service.id) < 0.3)
          meters.push(['storage_mb_hours', 24 * (10 + Math.floor(unit('mb', subscriber, service.id) * 500))]);
        for (const [meter, quantity] of meters)
          byService.get(service.id)?.push({
            specversion: '1.0',
            id: `demo-${period}-d${day + 1}-${subscriber}-${meter}`,
            source: `/onecommons-demo/services/${service.id}`,
            type: USAGE_REPORT_TYPE,
            subject: subscriber,
            time: new Date(time).toISOString(),
            data: { service: service.id, meter, quantity },
          });
      }
    }
  }
  return byService;
}
