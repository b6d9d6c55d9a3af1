import { createServer } from 'node:http';
import { describe, expect, it, jest } from '@jest/globals';
import { trace } from '@opentelemetry/api';
import { shutdownProcessTelemetry, startProcessTelemetry } from './start-telemetry.js';

describe('shutdownProcessTelemetry', () => {
  it('resolves when the collector refuses the last spans, and says they were lost', async () => {
    // A collector that answers every export with 400 (not retried), like one that no longer accepts the format.
    let exports = 0;
    const collector = createServer((request, response) => {
      exports++;
      request.resume();
      response.writeHead(400).end();
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const { port } = collector.address() as { port: number };
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      startProcessTelemetry({ serviceName: 'telemetry-spec', otlpEndpoint: `http://127.0.0.1:${port}` });
      trace.getTracer('telemetry-spec').startSpan('pending at shutdown').end();
      await expect(shutdownProcessTelemetry()).resolves.toBeUndefined();
      expect(exports).toBe(1);
      expect(stderr).toHaveBeenCalledWith(
        expect.stringMatching(/^telemetry: the last spans were not exported \(/),
      );
    } finally {
      stderr.mockRestore();
      await new Promise<void>((resolve) => collector.close(() => resolve()));
    }
  });
});
