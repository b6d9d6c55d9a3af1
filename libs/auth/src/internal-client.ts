import http from 'node:http';
import https from 'node:https';
import { context, propagation, type Span, trace } from '@opentelemetry/api';
import { childSpan, endSpan } from '@onecommons/telemetry';
import { INTERNAL_TOKEN_HEADER } from './internal-credential.js';

/**
 * POSTs JSON to one of identity's internal endpoints with the platform-internal credential, over kept-alive
 * connections (node:http rather than fetch, whose per-call overhead showed in metering's ingestion profile).
 * Inside a trace, each call is a CLIENT span whose context goes along (`traceparent`), so identity's side of an
 * API key check joins the caller's trace.
 */
export class InternalJsonClient {
  private readonly url: URL;
  private readonly agent: http.Agent;

  constructor(
    url: string,
    private readonly internalToken: string,
    private readonly timeoutMs = 5_000,
  ) {
    this.url = new URL(url);
    // Idle connections are dropped before Node's default server keep-alive (5 s) would close them under us.
    const options = { keepAlive: true, timeout: 4_000 };
    this.agent = this.url.protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
  }

  /** The parsed JSON answer; rejects on a non-2xx status, a transport error or after the timeout. */
  async post(body: unknown): Promise<unknown> {
    return JSON.parse(await this.send(JSON.stringify(body))) as unknown;
  }

  private async send(body: string): Promise<string> {
    const span = childSpan(`POST ${this.url.pathname}`, {
      'http.request.method': 'POST',
      'url.full': this.url.href,
    });
    const traceHeaders: Record<string, string> = {};
    propagation.inject(span ? trace.setSpan(context.active(), span) : context.active(), traceHeaders);
    try {
      const answer = await this.request(body, traceHeaders, span);
      if (span) endSpan(span, undefined);
      return answer;
    } catch (error) {
      if (span) endSpan(span, error);
      throw error;
    }
  }

  private request(
    body: string,
    traceHeaders: Record<string, string>,
    span: Span | undefined,
  ): Promise<string> {
    const transport = this.url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const request = transport.request(
        this.url,
        {
          method: 'POST',
          agent: this.agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            [INTERNAL_TOKEN_HEADER]: this.internalToken,
            ...traceHeaders,
          },
          signal: AbortSignal.timeout(this.timeoutMs),
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const status = response.statusCode ?? 0;
            span?.setAttribute('http.response.status_code', status);
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
