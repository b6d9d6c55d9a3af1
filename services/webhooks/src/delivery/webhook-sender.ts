import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { type LookupFunction } from 'node:net';
import { type VettedTarget } from '../targets/target-guard.js';

const EXCERPT_BYTES = 1_024;
const USER_AGENT = 'OneCommons-Webhooks/1.0';

export interface SignedRequest {
  readonly webhookId: string;
  readonly timestampSeconds: number;
  readonly signature: string;
  readonly body: string;
}

export type SendResult =
  | {
      readonly kind: 'response';
      readonly status: number;
      readonly retryAfter: string | null;
      readonly excerpt: string;
      readonly durationMs: number;
    }
  | { readonly kind: 'error'; readonly error: string; readonly durationMs: number };

/** Answers every lookup with the vetted address: the connection goes where the guard looked, nowhere else. */
function pinnedLookup(target: VettedTarget): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
}

/**
 * POSTs one signed webhook: the raw JSON body and the Standard Webhooks headers, to the vetted address,
 * within the timeout (connection to last byte read). Redirects are not followed (a 3xx is a failure).
 */
export function sendWebhook(
  target: VettedTarget,
  signed: SignedRequest,
  timeoutMs: number,
): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const send = target.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const signal = AbortSignal.timeout(timeoutMs);
    let settled = false;
    const settle = (result: SendResult) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    const request = send(
      target.url,
      {
        method: 'POST',
        lookup: pinnedLookup(target),
        signal,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(signed.body),
          'user-agent': USER_AGENT,
          'webhook-id': signed.webhookId,
          'webhook-timestamp': String(signed.timestampSeconds),
          'webhook-signature': signed.signature,
        },
      },
      (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const finish = () => {
          settle({
            kind: 'response',
            status: response.statusCode ?? 0,
            retryAfter: headerOf(response, 'retry-after'),
            excerpt: Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString('utf8'),
            durationMs: elapsed(),
          });
          response.destroy();
        };
        response.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          if (size >= EXCERPT_BYTES) finish(); // the rest of a large answer is not read
        });
        response.on('end', finish);
        response.on('error', (error) =>
          settle({ kind: 'error', error: describe(error, signal), durationMs: elapsed() }),
        );
      },
    );
    request.on('error', (error) =>
      settle({ kind: 'error', error: describe(error, signal), durationMs: elapsed() }),
    );
    request.end(signed.body);
  });
}

function headerOf(response: IncomingMessage, name: string): string | null {
  const value = response.headers[name];
  return typeof value === 'string' ? value : null;
}

function describe(error: Error, signal: AbortSignal): string {
  if (signal.aborted) return 'timed out';
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
}
