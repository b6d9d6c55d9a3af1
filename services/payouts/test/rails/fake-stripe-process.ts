import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const repoRoot = path.join(import.meta.dirname, '..', '..', '..', '..');

export interface TransferAttempt {
  readonly idempotencyKey: string | null;
  readonly outcome: 'created' | 'replayed' | 'failed' | 'fault';
  readonly status: number;
  readonly transfer: string | null;
}

/** The fake Stripe as its own process (what `./dev` runs), on a free port, and its test controls. */
export class FakeStripeProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    private readonly secretKey: string,
  ) {}

  /** `platformBalance`: Connect's available balance per currency, e.g. `abc:1000000` (default eur and usd). */
  static async start(secretKey: string, platformBalance?: string): Promise<FakeStripeProcess> {
    const main = path.join(repoRoot, 'tools/fake-stripe/dist/src/main.js');
    if (!existsSync(main))
      throw new Error(`${main} is missing: build the workspace first (./dev test builds it)`);
    const child = spawn(process.execPath, [main], {
      env: {
        PATH: process.env['PATH'] ?? '',
        FAKE_STRIPE_PORT: '0',
        FAKE_STRIPE_SECRET_KEY: secretKey,
        FAKE_STRIPE_RENEWAL_CHECK_MS: '0',
        ...(platformBalance ? { FAKE_STRIPE_PLATFORM_BALANCE: platformBalance } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the fake Stripe did not start:\n${output}`)), 15_000);
      const read = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening on (http:\/\/[^\s,]+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      };
      child.stdout.on('data', read);
      child.stderr.on('data', read);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the fake Stripe exited (${code}):\n${output}`));
      });
    });
    return new FakeStripeProcess(child, url, secretKey);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }

  /** A Stripe API call as any client makes it: form-encoded, with the secret key. */
  async api<Body>(method: string, apiPath: string, form: Record<string, string> = {}): Promise<Body> {
    const response = await fetch(`${this.url}${apiPath}`, {
      method,
      headers: {
        authorization: `Bearer ${this.secretKey}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      ...(method === 'GET' ? {} : { body: new URLSearchParams(form).toString() }),
    });
    if (!response.ok) throw new Error(`${method} ${apiPath}: ${response.status} ${await response.text()}`);
    return (await response.json()) as Body;
  }

  /** A connected account that can receive transfers at once (Custom: the fake verifies it on creation). */
  async createAccount(): Promise<string> {
    const account = await this.api<{ id: string }>('POST', '/v1/accounts', {
      type: 'custom',
      country: 'DE',
      'capabilities[transfers][requested]': 'true',
    });
    return account.id;
  }

  /** A `/_fake/` control call (JSON). */
  async control<Body>(method: string, controlPath: string, body?: unknown): Promise<Body> {
    const response = await fetch(`${this.url}/_fake${controlPath}`, {
      method,
      headers: { authorization: `Bearer ${this.secretKey}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok)
      throw new Error(`${method} /_fake${controlPath}: ${response.status} ${await response.text()}`);
    return (await response.json()) as Body;
  }

  async attempts(idempotencyKey: string): Promise<TransferAttempt[]> {
    const all = await this.control<TransferAttempt[]>('GET', '/transfer-attempts');
    return all.filter((attempt) => attempt.idempotencyKey === idempotencyKey);
  }
}
