import http from 'node:http';
import https from 'node:https';
import { z } from 'zod';
import { API_KEY_SCOPES, type ApiKeyPrincipal, type ApiKeySource } from './api-key.js';

const introspectionAnswer = z.discriminatedUnion('active', [
  z.object({ active: z.literal(false) }),
  z.object({
    active: z.literal(true),
    keyId: z.string(),
    organizationId: z.string(),
    scopes: z.array(z.enum(API_KEY_SCOPES)),
    serviceId: z.string().nullable(),
  }),
]);

/** Identity could not answer: the request fails as unavailable rather than being let in or turned away. */
export class ApiKeySourceUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`API key introspection failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'ApiKeySourceUnavailableError';
  }
}

/**
 * Asks identity about every presented key, with no cache: a revoked key stops working at once in every
 * service. The call is one round trip on the internal network over a kept-alive connection (node:http
 * rather than fetch, whose per-call overhead showed in metering's ingestion profile); identity is the only
 * holder of key hashes.
 */
export class RemoteApiKeySource implements ApiKeySource {
  private readonly url: URL;
  private readonly agent: http.Agent;

  constructor(
    introspectionUrl: string,
    private readonly timeoutMs = 5_000,
  ) {
    this.url = new URL(introspectionUrl);
    const secure = this.url.protocol === 'https:';
    // Idle connections are dropped before Node's default server keep-alive (5 s) would close them under us.
    const options = { keepAlive: true, timeout: 4_000 };
    this.agent = secure ? new https.Agent(options) : new http.Agent(options);
  }

  async resolve(key: string): Promise<ApiKeyPrincipal | null> {
    let body: unknown;
    try {
      body = JSON.parse(await this.post(JSON.stringify({ key })));
    } catch (error) {
      throw new ApiKeySourceUnavailableError(error);
    }
    const answer = introspectionAnswer.safeParse(body);
    if (!answer.success) throw new ApiKeySourceUnavailableError(new Error('unexpected introspection answer'));
    if (!answer.data.active) return null;
    const { keyId, organizationId, scopes, serviceId } = answer.data;
    return { kind: 'api_key', keyId, organizationId, scopes, serviceId };
  }

  /** POSTs a JSON body and resolves with the answer's text; fails on a non-2xx status or after the timeout. */
  private post(body: string): Promise<string> {
    const transport = this.url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const request = transport.request(
        this.url,
        {
          method: 'POST',
          agent: this.agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          signal: AbortSignal.timeout(this.timeoutMs),
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const status = response.statusCode ?? 0;
            if (status < 200 || status >= 300) reject(new Error(`HTTP ${status}`));
            else resolve(Buffer.concat(chunks).toString('utf8'));
          });
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  }
}
