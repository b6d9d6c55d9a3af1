export { childSpan, endSpan, instrumentPostgres, instrumentRedis } from './client-spans.js';
export {
  shutdownProcessTelemetry,
  startProcessTelemetry,
  startTelemetry,
  type Telemetry,
  type TelemetryOptions,
} from './start-telemetry.js';
export { everyCombination, type LabelValueSets, processCounter, startAtZero } from './zero-series.js';
export { gauge, refreshOnScrape } from './scrape-gauges.js';
