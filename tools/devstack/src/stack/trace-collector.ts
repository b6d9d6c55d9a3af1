import { portSlotOf, type Profile } from '../profile.js';

/**
 * Where the test profile's services send their spans (OTLP/HTTP): 12214 + 100 × slot, beside the fakes. Nothing
 * listens there unless a test does (tests/e2e/trace.e2e-spec.ts runs its own receiver); meanwhile the exporters
 * drop their batches. The other profiles export only when OTEL_EXPORTER_OTLP_ENDPOINT is set for them.
 */
export function traceCollectorUrl(profile: Profile): string | undefined {
  if (profile.name !== 'test') return undefined;
  return `http://127.0.0.1:${12_214 + 100 * portSlotOf(profile)}`;
}

export function traceCollectorEnvironment(profile: Profile): Record<string, string> {
  const url = traceCollectorUrl(profile);
  return url ? { OTEL_EXPORTER_OTLP_ENDPOINT: url } : {};
}
