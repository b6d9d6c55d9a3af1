import { context, type Link, propagation, SpanKind, trace, type Context } from '@opentelemetry/api';
import { type IHeaders } from 'kafkajs';

const tracer = trace.getTracer('onecommons-backbone');

/** W3C trace context of the current span as Kafka headers (empty when no tracer is registered). */
export function currentTraceHeaders(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/**
 * A message's creation span (PRODUCER, a child of the current span, ended at once) and its W3C context as Kafka
 * headers. The outbox relay sends the message later, outside the request that wrote it, so this span is where
 * the consumers' spans hang from and what the relay's send span links to. Outside a trace (a poller) there is
 * none, rather than a trace per event.
 */
export function messageCreationHeaders(
  topic: string,
  event: { readonly id: string; readonly type: string },
): Record<string, string> {
  if (!trace.getSpan(context.active())) return currentTraceHeaders();
  const span = tracer.startSpan(`${topic} create`, {
    kind: SpanKind.PRODUCER,
    attributes: {
      'messaging.system': 'kafka',
      'messaging.operation.type': 'create',
      'messaging.destination.name': topic,
      'messaging.message.id': event.id,
      'cloudevents.event_type': event.type,
    },
  });
  span.end();
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(context.active(), span), carrier);
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

/** Links to the traces of the messages' producers: how a span over a batch of messages names where each came from. */
export function linksToProducers(headersOfMessages: readonly (IHeaders | undefined)[]): Link[] {
  return headersOfMessages.flatMap((headers) => {
    const spanContext = trace.getSpanContext(traceContextOf(headers));
    return spanContext ? [{ context: spanContext }] : [];
  });
}

export function headerString(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}
