import { context, propagation, type Context } from '@opentelemetry/api';
import { type IHeaders } from 'kafkajs';

/** W3C trace context of the current span as Kafka headers (empty when no tracer is registered). */
export function currentTraceHeaders(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/** The trace context a producer put in a message's headers, to continue the trace across services. */
export function traceContextOf(headers: IHeaders | undefined): Context {
  const carrier: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) carrier[name] = first.toString();
  }
  return propagation.extract(context.active(), carrier);
}

export function headerString(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}
