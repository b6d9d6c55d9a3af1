import { type ProviderApiKind, ProviderCallError, type ProviderFailure } from './provider-api.js';

/** What watches every call of one provider account: the rate budget (may hold a call back) and metrics. */
export interface CallGate {
  /** Throws a `held_back` ProviderCallError when the account's budget is spent. */
  beforeCall(): Promise<void>;
  afterResponse(status: number, headers: Headers): Promise<void>;
  afterFailure(label: string): void;
}

export interface ProviderHttpOptions {
  readonly api: ProviderApiKind;
  readonly baseUrl: string;
  readonly token: string;
  readonly timeoutMs: number;
  readonly gate: CallGate;
}

export interface ProviderResponse<Body> {
  readonly status: number;
  readonly body: Body;
}

/** JSON over HTTPS with a Bearer token and a deadline; every failure becomes a ProviderCallError. */
export class ProviderHttp {
  constructor(private readonly options: ProviderHttpOptions) {}

  async request<Body>(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
    describeError: (
      status: number,
      body: unknown,
    ) => { failure?: ProviderFailure; message: string } = defaultError,
  ): Promise<ProviderResponse<Body>> {
    await this.options.gate.beforeCall();
    let response: Response;
    try {
      response = await fetch(`${this.options.baseUrl.replace(/\/$/, '')}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.options.token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs),
        redirect: 'error',
      });
    } catch (error) {
      const timedOut =
        error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      this.options.gate.afterFailure(timedOut ? 'timeout' : 'network_error');
      throw new ProviderCallError(
        timedOut ? 'timeout' : 'unavailable',
        timedOut
          ? `${this.options.api}: no answer within ${this.options.timeoutMs} ms`
          : `${this.options.api}: ${(error as Error).message}`,
      );
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      this.options.gate.afterFailure('timeout');
      throw new ProviderCallError(
        'timeout',
        `${this.options.api}: response cut off (${(error as Error).message})`,
      );
    }
    await this.options.gate.afterResponse(response.status, response.headers);
    const parsed = parseJson(text);
    if (response.ok) return { status: response.status, body: parsed as Body };
    const described = describeError(response.status, parsed);
    throw new ProviderCallError(
      described.failure ?? failureOf(response.status),
      `${this.options.api} ${method} ${path.split('?')[0]}: ${response.status} ${described.message}`,
      response.status,
    );
  }
}

function parseJson(text: string): unknown {
  if (text === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return { raw: text.slice(0, 200) };
  }
}

function defaultError(_status: number, body: unknown): { message: string } {
  return { message: JSON.stringify(body).slice(0, 300) };
}

export function failureOf(status: number): ProviderFailure {
  if (status === 429) return 'rate_limited';
  if (status === 423) return 'locked';
  if (status === 409) return 'conflict';
  if (status === 404) return 'not_found';
  if (status === 401 || status === 403) return 'unauthorized';
  if (status >= 500) return 'unavailable';
  return 'rejected';
}
