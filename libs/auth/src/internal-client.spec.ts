import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { InternalJsonClient } from './internal-client.js';
import { INTERNAL_TOKEN_HEADER } from './internal-credential.js';

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const contextManager = new AsyncLocalStorageContextManager();
const received: IncomingHttpHeaders[] = [];
let server: Server;
let client: InternalJsonClient;

beforeAll(async () => {
  context.setGlobalContextManager(contextManager.enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  server = createServer((request, response) => {
    received.push(request.headers);
    request.resume();
    request.on('end', () => response.writeHead(200).end('{"ok":true}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  client = new InternalJsonClient(`http://127.0.0.1:${port}/internal/check`, 'internal-token');
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await provider.shutdown();
  contextManager.disable();
  trace.disable();
  propagation.disable();
  context.disable();
});

it("makes each call a CLIENT span of the caller's trace and sends its context along", async () => {
  const request = provider.getTracer('test').startSpan('POST /v1/events', { kind: SpanKind.SERVER });
  await context.with(trace.setSpan(context.active(), request), () => client.post({ key: 'k' }));
  request.end();

  const call = exporter.getFinishedSpans().find((span) => span.name === 'POST /internal/check');
  expect(call?.kind).toBe(SpanKind.CLIENT);
  expect(call?.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
  expect(call?.attributes).toMatchObject({ 'http.response.status_code': 200 });
  expect(received.at(-1)?.['traceparent']).toBe(
    `00-${request.spanContext().traceId}-${call?.spanContext().spanId ?? ''}-01`,
  );
  expect(received.at(-1)?.[INTERNAL_TOKEN_HEADER]).toBe('internal-token');
});

it('outside a trace makes no span and sends no trace context', async () => {
  exporter.reset();
  await client.post({ key: 'k' });
  expect(exporter.getFinishedSpans()).toEqual([]);
  expect(received.at(-1)?.['traceparent']).toBeUndefined();
});
