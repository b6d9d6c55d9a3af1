import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, NoopSpanProcessor } from '@opentelemetry/sdk-trace';
import { instrumentPostgres, instrumentRedis } from './client-spans.js';

export interface TelemetryOptions {
  readonly serviceName: string;
  /** OTLP/HTTP collector base URL, e.g. http://otel-collector:4318; spans stay in-process without it. */
  readonly otlpEndpoint?: string | undefined;
}

export interface Telemetry {
  shutdown(): Promise<void>;
}

/**
 * Starts OpenTelemetry before anything else in a process: W3C trace context propagation and an
 * AsyncLocalStorage context, so a trace continues from an HTTP request through the outbox and Kafka
 * headers into the consuming service. Exports to OTLP when an endpoint is configured.
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  const endpoint = options.otlpEndpoint?.replace(/\/+$/, '');
  const sdk = new NodeSDK({
    serviceName: options.serviceName,
    autoDetectResources: false,
    contextManager: new AsyncLocalStorageContextManager(),
    textMapPropagator: new W3CTraceContextPropagator(),
    // Without an exporter a no-op processor still installs a tracer provider: trace ids are minted and
    // propagated through HTTP and Kafka headers (and logged) even when no collector is configured.
    spanProcessors: endpoint
      ? [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${endpoint}/v1/traces` }) })]
      : [new NoopSpanProcessor()],
    instrumentations: [],
  });
  sdk.start();
  // HTTP server spans come from service-kit's request middleware and Kafka consumer spans from the
  // backbone's processor; the database and Redis calls made inside them become their children.
  instrumentPostgres();
  instrumentRedis();
  return { shutdown: () => sdk.shutdown() };
}

let running: Telemetry | undefined;

/** Starts telemetry once per process; later calls return the running instance. */
export function startProcessTelemetry(options: TelemetryOptions): Telemetry {
  running ??= startTelemetry(options);
  return running;
}

/**
 * Flushes and stops the process's telemetry, if started. A collector that cannot be reached loses the last spans
 * and is said on stderr; it never fails the process (a replay's or a command's exit code is its own).
 */
export async function shutdownProcessTelemetry(): Promise<void> {
  const current = running;
  running = undefined;
  try {
    await current?.shutdown();
  } catch (error) {
    process.stderr.write(
      `telemetry: the last spans were not exported (${error instanceof Error ? error.message : String(error)})\n`,
    );
  }
}
