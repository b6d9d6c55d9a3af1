import { randomBytes, randomUUID } from 'node:crypto';
import { expect } from '@jest/globals';
import { bullmqPrefixOf } from '@onecommons/service-kit';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createEvent, PeriodClosedV1, TokensRedeemedV1, TOPICS, uuidV7 } from '@onecommons/contracts';
// Payouts' tests boot identity (by its definition, nothing internal) for real access tokens:
import { identityService } from '@onecommons/identity/definition';
import {
  consumerCaughtUp,
  eventually,
  jsonRequest,
  RawProducer,
  type RunningService,
  type ServiceProcess,
  startService,
  startServiceProcess,
} from '@onecommons/testing';
import { PAYOUT_QUEUE } from '../src/execution/payout-queue.js';
import { payoutsService } from '../src/payouts.definition.js';
import { FakeStripeProcess } from './rails/fake-stripe-process.js';

const PASSWORD = 'correct horse battery staple';
const SECRET_KEY = 'sk_test_payouts_integration';
/** The signing secret of payouts' Connect webhook endpoint at the fake Stripe. */
export const CONNECT_WEBHOOK_SECRET = 'whsec_payouts_integration_connect';
const LEDGER = { source: '/onecommons/ledger' };

export interface Account {
  readonly id: string;
  readonly email: string;
  readonly token: string;
}

/** Identity (in this process), the fake Stripe and payouts (as their own processes), as `./dev` runs them. */
export class PayoutsStack {
  private constructor(
    readonly identity: RunningService,
    readonly stripe: FakeStripeProcess,
    readonly payouts: ServiceProcess,
    readonly consumerGroup: string,
    readonly producer: RawProducer,
    readonly admin: Account,
  ) {}

  static async start(
    payoutsEnv: Record<string, string> = {},
    options: { readonly stripeBalance?: string } = {},
  ): Promise<PayoutsStack> {
    const bootstrapToken = `bootstrap-${randomUUID()}-${randomUUID()}`;
    const identity = await startService(identityService, {
      env: {
        IDENTITY_ADMIN_BOOTSTRAP_TOKEN: bootstrapToken,
        REGISTRATION_RATE_LIMIT_PER_MINUTE: '100000',
        LOGIN_ADDRESS_RATE_LIMIT_PER_MINUTE: '100000',
        LOGIN_ACCOUNT_RATE_LIMIT_PER_HOUR: '100000',
      },
    });
    const stripe = await FakeStripeProcess.start(SECRET_KEY, options.stripeBalance);
    const consumerGroup = `t-payouts-${uuidV7()}`;
    const payouts = await startServiceProcess(payoutsService, {
      consumerGroup,
      env: {
        AUTH_JWKS_URL: `${identity.url}/api/identity/v1/.well-known/jwks.json`,
        AUTH_API_KEY_INTROSPECTION_URL: `${identity.url}/api/identity/v1/internal/api-keys/introspect`,
        AUTH_ACCESS_URL: `${identity.url}/api/identity/v1/internal/access`,
        STRIPE_SECRET_KEY: SECRET_KEY,
        STRIPE_API_BASE: stripe.url,
        STRIPE_CONNECT_WEBHOOK_SECRET: CONNECT_WEBHOOK_SECRET,
        PAYOUTS_ACCOUNT_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        PAYOUTS_SWEEP_INTERVAL_MS: '300',
        PAYOUTS_RETRY_BASE_MS: '200',
        PAYOUTS_RETRY_MAX_MS: '1000',
        PAYOUTS_LEASE_SECONDS: '2',
        PAYOUTS_RAIL_SYNC_INTERVAL_MS: '500',
        ...payoutsEnv,
      },
    });
    // Connected accounts' events (account.updated) to payouts, as the Connect endpoint at Stripe is set up.
    await stripe.control('POST', '/webhook-endpoints', {
      url: `${payouts.url}/api/payouts/v1/stripe/connect-webhook`,
      secret: CONNECT_WEBHOOK_SECRET,
      connect: true,
    });
    const producer = await RawProducer.connect();
    const stack = new PayoutsStack(identity, stripe, payouts, consumerGroup, producer, {
      id: '',
      email: '',
      token: '',
    });
    const admin = await stack.account('admin');
    expect(
      (
        await jsonRequest(`${identity.url}/api/identity/v1/admins/bootstrap`, 'POST', {
          credential: admin.token,
          body: { token: bootstrapToken },
        })
      ).status,
    ).toBe(200);
    return new PayoutsStack(identity, stripe, payouts, consumerGroup, producer, {
      ...admin,
      token: await stack.login(admin.email),
    });
  }

  async stop(): Promise<void> {
    await this.producer.stop();
    await this.payouts.stop();
    await this.stripe.stop();
    await this.identity.stop();
  }

  async login(email: string): Promise<string> {
    return (
      await jsonRequest<{ accessToken: string }>(`${this.identity.url}/api/identity/v1/sessions`, 'POST', {
        body: { email, password: PASSWORD },
      })
    ).body.accessToken;
  }

  async account(label: string): Promise<Account> {
    const email = `${label}-${randomUUID()}@example.org`;
    const base = `${this.identity.url}/api/identity/v1`;
    expect(
      (await jsonRequest(`${base}/accounts`, 'POST', { body: { email, password: PASSWORD } })).status,
    ).toBe(201);
    const token = await this.login(email);
    const me = await jsonRequest<{ id: string }>(`${base}/accounts/me`, 'GET', { credential: token });
    return { id: me.body.id, email, token };
  }

  /** An organization of the kind, and its owner with a token that carries the membership. */
  async organization(kind: 'provider' | 'operator'): Promise<{ id: string; owner: Account }> {
    const owner = await this.account(`${kind}-owner`);
    const created = await jsonRequest<{ id: string }>(
      `${this.identity.url}/api/identity/v1/organizations`,
      'POST',
      {
        credential: owner.token,
        body: { name: `${kind} ${randomUUID()}`, kind },
      },
    );
    expect(created.status).toBe(201);
    return { id: created.body.id, owner: { ...owner, token: await this.login(owner.email) } };
  }

  call<Body = Record<string, unknown>>(method: string, path: string, credential?: string, body?: unknown) {
    return jsonRequest<Body>(`${this.payouts.url}/api/payouts/v1${path}`, method, {
      ...(credential ? { credential } : {}),
      ...(body === undefined ? {} : { body }),
    });
  }

  /** A verified Stripe payout account for the payee, set by its owner. */
  async stripeAccount(payee: string, owner: Account): Promise<string> {
    const accountId = await this.stripe.createAccount();
    const set = await this.call<{ status: string }>('PUT', `/payees/${payee}/payout-account`, owner.token, {
      rail: 'stripe',
      accountId,
    });
    expect(set).toMatchObject({ status: 200, body: { status: 'verified' } });
    return accountId;
  }

  /** The ledger's redemptions of a period and then its close, as the ledger announces them. */
  async closePeriod(period: string, credits: Readonly<Record<string, bigint>>): Promise<void> {
    const merkleRoot = 'ab'.repeat(32);
    const events = [
      ...Object.entries(credits).map(([holder, amount]) =>
        createEvent(
          TokensRedeemedV1,
          {
            redemptionKey: `redeem:${period}:${holder}`,
            holder,
            period,
            tokens: (amount * 1_000_000n).toString(),
            allocatedTokens: (amount * 1_000_000n).toString(),
            amountMinor: amount.toString(),
            currency: 'EUR',
            price: { num: '1', den: '1' },
            merkleRoot,
          },
          LEDGER,
        ),
      ),
      createEvent(
        PeriodClosedV1,
        {
          period,
          total: '0',
          merkleRoot,
          accounts: Object.keys(credits).length,
          subscribers: 1,
          closedAt: new Date().toISOString(),
        },
        LEDGER,
      ),
    ];
    for (const event of events)
      await this.producer.send(TOPICS.ledgerEvents.name, event.subject, JSON.stringify(event));
    await this.caughtUp();
  }

  async caughtUp(): Promise<void> {
    await eventually('payouts to catch up with the ledger', async () =>
      (await consumerCaughtUp(this.consumerGroup, [TOPICS.ledgerEvents.name])) ? true : undefined,
    );
  }

  async payoutOf(payee: string, period: string) {
    const [row] = await this.payouts.query<{
      id: string;
      state: string;
      amount_minor: string;
      reference: string | null;
    }>(
      `SELECT id, state, amount_minor::text AS amount_minor, reference FROM payouts WHERE payee = $1 AND period = $2`,
      [payee, period],
    );
    return row;
  }

  /** Waits for the payout to reach the state; a timeout says where it stood and what payouts last logged. */
  async settled(payee: string, period: string, state: string) {
    return this.explainingTimeout(
      eventually(`${payee}'s ${period} payout to be ${state}`, async () => {
        const payout = await this.payoutOf(payee, period);
        return payout?.state === state ? payout : undefined;
      }),
      () => this.standingOfPayout(payee, period),
    );
  }

  /** Waits for the period's `count` payouts all to succeed; a timeout lists the open ones and payouts' output. */
  async batchPaid(period: string, count: number, timeoutMs: number): Promise<void> {
    await this.explainingTimeout(
      eventually(
        `every payout of the ${period} batch to be paid`,
        async () => {
          const rows = await this.payouts.query<{ state: string }>(
            `SELECT state FROM payouts WHERE period = $1`,
            [period],
          );
          return rows.length === count && rows.every((row) => row.state === 'succeeded') ? true : undefined;
        },
        { timeoutMs },
      ),
      async () =>
        JSON.stringify(
          await this.payouts.query(
            `SELECT id, state, attempts, next_attempt_at, lease_until, last_error, now() AS checked_at
               FROM payouts WHERE period = $1 AND state <> 'succeeded'`,
            [period],
          ),
        ),
    );
  }

  private async explainingTimeout<T>(waiting: Promise<T>, standing: () => Promise<string>): Promise<T> {
    try {
      return await waiting;
    } catch (error) {
      throw new Error(
        `${(error as Error).message}: ${await standing()}\npayouts' last output:\n${this.payouts.output()}`,
      );
    }
  }

  private async standingOfPayout(payee: string, period: string): Promise<string> {
    const [line] = await this.payouts.query<{ outcome: string; reason: string | null }>(
      `SELECT outcome, reason FROM batch_lines WHERE payee = $1 AND period = $2`,
      [payee, period],
    );
    const [payout] = await this.payouts.query<Record<string, unknown>>(
      `SELECT id, state, attempts, next_attempt_at, lease_until, last_error, now() AS checked_at
         FROM payouts WHERE payee = $1 AND period = $2`,
      [payee, period],
    );
    if (!line) return 'no batch line';
    const job = payout ? await this.jobOf(String(payout['id'])) : 'no payout';
    return `batch line ${line.outcome}${line.reason ? ` (${line.reason})` : ''}; payout ${JSON.stringify(payout ?? null)}; job ${job}`;
  }

  /** The payout's BullMQ job: its state, and when a delayed one is due. */
  private async jobOf(payoutId: string): Promise<string> {
    const connection = new Redis(this.payouts.env['REDIS_URL'] as string, { maxRetriesPerRequest: null });
    const queue = new Queue(PAYOUT_QUEUE, {
      connection,
      prefix: bullmqPrefixOf(undefined, this.payouts.schema),
    });
    try {
      const job = await queue.getJob(payoutId);
      if (!job) return 'none';
      return `${await job.getState()} (added ${new Date(job.timestamp).toISOString()}, delay ${job.delay} ms, attempts ${job.attemptsMade})`;
    } finally {
      await queue.close();
      connection.disconnect();
    }
  }
}
