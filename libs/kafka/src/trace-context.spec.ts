import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { linksToProducers, messageCreationHeaders } from './trace-context.js';

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const contextManager = new AsyncLocalStorageContextManager();

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
});

afterAll(async () => {
  await provider.shutdown();
  contextManager.disable();
  trace.disable();
  propagation.disable();
  context.disable();
});

describe('messageCreationHeaders', () => {
  it("creates the message's PRODUCER span under the current one, and carries its context to the consumers", () => {
    const request = provider.getTracer('test').startSpan('POST /events', { kind: SpanKind.SERVER });
    const headers = context.with(trace.setSpan(context.active(), request), () =>
      messageCreationHeaders('metering.usage.v1', {
        id: 'event-1',
        type: 'onecommons.metering.usage.recorded.v2',
      }),
    );
    request.end();
    const created = exporter.getFinishedSpans().find((span) => span.name === 'metering.usage.v1 create');
    expect(created?.kind).toBe(SpanKind.PRODUCER);
    expect(created?.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    expect(created?.attributes).toMatchObject({ 'messaging.message.id': 'event-1' });
    expect(headers['traceparent']).toBe(
      `00-${request.spanContext().traceId}-${created?.spanContext().spanId ?? ''}-01`,
    );
    expect(linksToProducers([headers, undefined]).map((link) => link.context.spanId)).toEqual([
      created?.spanContext().spanId,
    ]);
  });

  it('outside a trace makes no span and carries no context', () => {
    exporter.reset();
    expect(messageCreationHeaders('metering.usage.v1', { id: 'event-2', type: 'x' })).toEqual({});
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});
