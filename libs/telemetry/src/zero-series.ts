import { Counter, type Histogram, type LabelValues, register } from 'prom-client';

/** The values each label of a metric can take, when they form a closed set (outcomes, reasons, topics). */
export type LabelValueSets<Label extends string> = { readonly [Name in Label]: readonly string[] };

/** Every combination of the labels' values. */
export function everyCombination<Label extends string>(sets: LabelValueSets<Label>): LabelValues<Label>[] {
  let combinations: Record<string, string>[] = [{}];
  for (const [name, values] of Object.entries(sets) as [Label, readonly string[]][])
    combinations = combinations.flatMap((labels) => values.map((value) => ({ ...labels, [name]: value })));
  return combinations as LabelValues<Label>[];
}

/**
 * Creates each series at 0 before anything happened. A labelled prom-client metric has no series until its
 * first `inc`, and Prometheus' `increase()` and `rate()` see nothing in a series whose first sample is already
 * 1: without this, the first dead letter or the first failed payout would never reach an alert.
 */
export function startAtZero<Label extends string>(
  metric: Counter<Label> | Histogram<Label>,
  series: readonly LabelValues<Label>[],
): void {
  for (const labels of series) {
    if ('zero' in metric) metric.zero(labels);
    else metric.inc(labels, 0);
  }
}

/**
 * A counter of the process registry with the given series at 0, made once: integration tests boot several apps of
 * a service in one process, and the later ones reuse it.
 */
export function processCounter<Label extends string = never>(
  options: { readonly name: string; readonly help: string; readonly labelNames?: readonly Label[] },
  series: readonly LabelValues<Label>[] = [],
): Counter<Label> {
  const existing = register.getSingleMetric(options.name) as Counter<Label> | undefined;
  if (existing) return existing;
  const counter = new Counter<Label>({ ...options, labelNames: options.labelNames ?? [] });
  startAtZero(counter, series);
  return counter;
}
