export { instrumentPostgres, instrumentRedis } from './client-spans.js';
export {
  shutdownProcessTelemetry,
  startProcessTelemetry,
  startTelemetry,
  type Telemetry,
  type TelemetryOptions,
} from './start-telemetry.js';
