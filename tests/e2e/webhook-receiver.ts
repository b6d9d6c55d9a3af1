import { createServer, type IncomingHttpHeaders } from 'node:http';
import { expect } from '@jest/globals';
import { type Answer, call } from './gateway-client.js';

export interface ReceivedWebhook {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

interface EndpointAnswer {
  readonly id: string;
  readonly secret: string;
  readonly error?: { readonly code: string };
}

export interface WebhookReceiver {
  /** Where the platform delivers (`./dev` lets webhooks reach 127.0.0.1). */
  readonly url: string;
  /** Every request so far, in arrival order. */
  readonly received: readonly ReceivedWebhook[];
  /** Registers an endpoint here (at `url` + `path`) with a `webhooks:manage` key; `stop` deletes it. */
  register(apiKey: string, eventTypes: readonly string[], path?: string): Promise<Answer<EndpointAnswer>>;
  /**
   * Deletes the endpoints registered through it, then closes: later suites' events must not go on to a closed
   * receiver (their retries would write while a suite that checks the platform whole runs).
   */
  stop(): Promise<void>;
}

/** A partner's endpoint: a local HTTP server that keeps what it receives and answers 204. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const registered: { apiKey: string; id: string }[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/onecommons`;
  return {
    url,
    received,
    async register(apiKey, eventTypes, path = '') {
      const answer = await call<EndpointAnswer>('POST', '/api/webhooks/v1/endpoints', {
        credential: apiKey,
        body: { url: `${url}${path}`, eventTypes },
      });
      if (answer.status === 201) registered.push({ apiKey, id: answer.body.id });
      return answer;
    },
    async stop() {
      for (const { apiKey, id } of registered) {
        const deleted = await call('DELETE', `/api/webhooks/v1/endpoints/${id}`, { credential: apiKey });
        expect(deleted.status).toBe(204);
      }
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
