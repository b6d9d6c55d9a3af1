import { Gauge, register } from 'prom-client';

/** One gauge per name in the process registry (tests boot several apps of a service in one process). */
export function gauge<Label extends string = string>(
  name: string,
  help: string,
  labelNames: readonly Label[] = [],
): Gauge<Label> {
  return (
    (register.getSingleMetric(name) as Gauge<Label> | undefined) ??
    new Gauge<Label>({ name, help, labelNames })
  );
}

/**
 * Makes the gauges read their values at each scrape: prom-client awaits each metric's collect(), and one call of
 * `refresh` (shared while it runs) sets them all. A failed read keeps the last values and is reported.
 */
export function refreshOnScrape(
  gauges: readonly Gauge<string>[],
  refresh: () => Promise<void>,
  onError: (error: unknown) => void,
): void {
  let refreshing: Promise<void> | undefined;
  const collect = () => {
    refreshing ??= refresh()
      .catch(onError)
      .finally(() => (refreshing = undefined));
    return refreshing;
  };
  for (const metric of gauges) (metric as unknown as { collect: () => Promise<void> }).collect = collect;
}
