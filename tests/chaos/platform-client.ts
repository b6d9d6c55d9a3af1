import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { lastJsonLine, runCommons, testStack } from '@onecommons/testing';

// The suite's view of the platform: the gateway as a client sees it and the `commons` command as an operator
// runs it.

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export { lastJsonLine, runCommons };

/** `--env-file` of a service of the chaos stack, for the `commons` commands that run a service's own code. */
export const envFileOf = (service: string) => path.join(testStack().envDir, `${service}.env`);

export interface DemoSeed {
  readonly period: string;
  readonly password: string;
  readonly admin: { readonly id: string; readonly email: string; readonly token: string };
  readonly subscribers: readonly { readonly id: string }[];
  readonly services: readonly { readonly id: string; readonly apiKey: string }[];
}

/**
 * `commons demo seed` against the chaos stack: its bootstrap token makes the demo admin the stack's admin; the
 * services are deployed on its fake clouds and the payees given payout accounts at its fake Stripe.
 */
export async function seedDemo(out: string): Promise<DemoSeed> {
  const stack = testStack();
  const stateDir = path.join(stack.envDir, '..');
  const result = await runCommons([
    'demo',
    'seed',
    '--out',
    out,
    '--gateway',
    stack.gatewayUrl,
    '--bootstrap-token-file',
    path.join(stateDir, 'secrets', 'identity-admin-bootstrap-token'),
    '--fake-clouds',
    path.join(stateDir, 'fake-clouds.json'),
    // The payees' connected accounts are opened at the stack's fake Stripe, so the payout batch pays.
    '--payouts-env',
    path.join(stack.envDir, 'payouts.env'),
  ]);
  if (result.code !== 0) throw new Error(`commons demo seed exited ${result.code}:\n${result.stderr}`);
  return JSON.parse(readFileSync(out, 'utf8')) as DemoSeed;
}

/** A JSON request through the gateway; waits out its 429 (the load shares 127.0.0.1's budget). */
export async function gatewayJson<Body>(
  method: string,
  pathname: string,
  options: { credential?: string; body?: unknown } = {},
): Promise<{ status: number; body: Body }> {
  for (let attempt = 1; ; attempt += 1) {
    const response = await fetch(`${testStack().gatewayUrl}${pathname}`, {
      method,
      headers: {
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(options.credential ? { authorization: `Bearer ${options.credential}` } : {}),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    if (response.status !== 429 || attempt >= 10)
      return { status: response.status, body: (text ? JSON.parse(text) : {}) as Body };
    await sleep(Math.min(5, Math.max(1, Number(response.headers.get('retry-after')) || 1)) * 1_000);
  }
}

/** A fresh access token of an account (the seed's may be older than the run's faults). */
export async function login(email: string, password: string): Promise<string> {
  const session = await gatewayJson<{ accessToken: string }>('POST', '/api/identity/v1/sessions', {
    body: { email, password },
  });
  if (session.status !== 201) throw new Error(`cannot log in as ${email}: ${session.status}`);
  return session.body.accessToken;
}

/** A variable of the environment ./dev gave a service of the chaos stack. */
export function serviceEnvironmentValue(service: string, name: string): string {
  const line = readFileSync(envFileOf(service), 'utf8')
    .split('\n')
    .find((candidate) => candidate.startsWith(`${name}=`));
  if (!line) throw new Error(`${service}.env has no ${name}`);
  return line.slice(name.length + 1);
}

/** A failure rule of the stack's fake Stripe (`POST /_fake/faults`): the next requests to `path` fail. */
export interface StripeFault {
  readonly method?: string;
  readonly path: string;
  readonly status: 429 | 500 | 502 | 503 | 504;
  readonly count?: number;
  /** The request runs but its answer is lost: the client sees the failure. */
  readonly afterExecution?: boolean;
}

export async function injectStripeFault(fault: StripeFault): Promise<void> {
  const response = await fetch(`${serviceEnvironmentValue('payouts', 'STRIPE_API_BASE')}/_fake/faults`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${serviceEnvironmentValue('payouts', 'STRIPE_SECRET_KEY')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify(fault),
  });
  if (response.status !== 201) throw new Error(`the fake Stripe refused the fault: ${await response.text()}`);
}
