import { startProcessTelemetry } from '@onecommons/telemetry';

// Imported first by main.ts: tracing is set up before any other module loads.
startProcessTelemetry({
  serviceName: 'provisioner',
  otlpEndpoint: process.env['OTEL_EXPORTER_OTLP_ENDPOINT'],
});
