import Stripe from 'stripe';
import { startFakeStripe, type FakeStripe } from './fake-stripe-server.js';

const secretKey = 'sk_test_fake_stripe_connect_spec';
let fake: FakeStripe;
let stripe: Stripe;

beforeAll(async () => {
  fake = await startFakeStripe({ secretKey, platformBalance: { eur: 100_000, usd: 50 } });
  const { hostname, port } = new URL(fake.url);
  stripe = new Stripe(secretKey, { host: hostname, port, protocol: 'http', maxNetworkRetries: 0 });
});

afterAll(() => fake.close());

const connectedAccount = () =>
  stripe.accounts.create({
    type: 'custom',
    country: 'DE',
    email: 'payee@example.org',
    capabilities: { transfers: { requested: true } },
  });

const creations = (key: string) =>
  fake.transferAttempts.filter((attempt) => attempt.idempotencyKey === key && attempt.outcome === 'created');

const control = (path: string, body: unknown) =>
  fetch(`${fake.url}/_fake${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secretKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('Stripe Connect transfers in the fake, driven by the official SDK', () => {
  it('creates an account that can receive transfers, and answers 404 for an unknown one', async () => {
    const account = await connectedAccount();
    expect(account).toMatchObject({
      object: 'account',
      type: 'custom',
      country: 'DE',
      payouts_enabled: true,
      capabilities: { transfers: 'active' },
    });
    expect((await stripe.accounts.retrieve(account.id)).id).toBe(account.id);
    await expect(stripe.accounts.retrieve('acct_missing')).rejects.toMatchObject({
      statusCode: 404,
      code: 'resource_missing',
    });
  });

  it('transfers once per idempotency key, replays the answer and refuses the key with other parameters', async () => {
    const account = await connectedAccount();
    const params = {
      amount: 1_234,
      currency: 'eur',
      destination: account.id,
      transfer_group: 'payouts:2026-11',
      description: 'November payout',
      metadata: { payout_id: 'p-1' },
    };
    const before = (await stripe.balance.retrieve()).available.find((entry) => entry.currency === 'eur')!;
    const first = await stripe.transfers.create(params, { idempotencyKey: 'payout:p-1' });
    const again = await stripe.transfers.create(params, { idempotencyKey: 'payout:p-1' });
    expect(again.id).toBe(first.id);
    expect(first).toMatchObject({
      object: 'transfer',
      amount: 1_234,
      amount_reversed: 0,
      reversed: false,
      currency: 'eur',
      destination: account.id,
      transfer_group: 'payouts:2026-11',
      metadata: { payout_id: 'p-1' },
    });
    expect(creations('payout:p-1')).toHaveLength(1);
    expect(fake.transferAttempts.filter((attempt) => attempt.idempotencyKey === 'payout:p-1')).toEqual([
      expect.objectContaining({ outcome: 'created', transfer: first.id }),
      expect.objectContaining({ outcome: 'replayed', transfer: first.id }),
    ]);
    const after = (await stripe.balance.retrieve()).available.find((entry) => entry.currency === 'eur')!;
    expect(before.amount - after.amount).toBe(1_234);

    await expect(
      stripe.transfers.create({ ...params, amount: 1_235 }, { idempotencyKey: 'payout:p-1' }),
    ).rejects.toMatchObject({ type: 'StripeIdempotencyError', statusCode: 400 });
    expect(creations('payout:p-1')).toHaveLength(1);
  });

  it('does not store an injected 429: the retry with the same key creates the transfer', async () => {
    const account = await connectedAccount();
    fake.injectFault({ method: 'POST', path: '/v1/transfers', status: 429, count: 1, retryAfterSeconds: 2 });
    const params = { amount: 500, currency: 'eur', destination: account.id };
    const refused = await stripe.transfers
      .create(params, { idempotencyKey: 'payout:p-429' })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
    expect((refused as Stripe.errors.StripeError).headers?.['retry-after']).toBe('2');
    expect(creations('payout:p-429')).toHaveLength(0);

    const transfer = await stripe.transfers.create(params, { idempotencyKey: 'payout:p-429' });
    expect(transfer.amount).toBe(500);
    expect(creations('payout:p-429')).toHaveLength(1);
  });

  it('fails the next requests with an injected 5xx through the control API, then recovers', async () => {
    const account = await connectedAccount();
    const injected = await control('/faults', { path: '/v1/transfers', status: 503, count: 2 });
    expect(injected.status).toBe(201);
    const params = { amount: 1, currency: 'eur', destination: account.id };
    for (let attempt = 0; attempt < 2; attempt++) {
      await expect(stripe.transfers.create(params, { idempotencyKey: 'payout:p-503' })).rejects.toMatchObject(
        {
          type: 'StripeAPIError',
          statusCode: 503,
        },
      );
    }
    await expect(stripe.transfers.create(params, { idempotencyKey: 'payout:p-503' })).resolves.toMatchObject({
      amount: 1,
    });
    expect(
      fake.transferAttempts
        .filter((attempt) => attempt.idempotencyKey === 'payout:p-503')
        .map((attempt) => attempt.outcome),
    ).toEqual(['fault', 'fault', 'created']);
  });

  it('answers a lost response (fault after execution) with the stored transfer on the retry', async () => {
    const account = await connectedAccount();
    fake.injectFault({ path: '/v1/transfers', status: 500, afterExecution: true });
    const params = { amount: 700, currency: 'eur', destination: account.id };
    await expect(stripe.transfers.create(params, { idempotencyKey: 'payout:p-lost' })).rejects.toMatchObject({
      statusCode: 500,
    });
    const retried = await stripe.transfers.create(params, { idempotencyKey: 'payout:p-lost' });
    expect(creations('payout:p-lost').map((attempt) => attempt.transfer)).toEqual([retried.id]);
    expect((await stripe.transfers.list({ destination: account.id })).data.map((t) => t.id)).toEqual([
      retried.id,
    ]);
  });

  it('refuses transfers to an account whose transfers capability is inactive, and stores that answer', async () => {
    const account = await connectedAccount();
    const disabled = await control(`/accounts/${account.id}/capabilities/transfers`, { status: 'inactive' });
    expect(disabled.status).toBe(200);
    const params = { amount: 100, currency: 'eur', destination: account.id };
    await expect(
      stripe.transfers.create(params, { idempotencyKey: 'payout:p-inactive' }),
    ).rejects.toMatchObject({
      type: 'StripeInvalidRequestError',
      code: 'insufficient_capabilities_for_transfer',
      param: 'destination',
    });
    expect(await stripe.accounts.retrieve(account.id)).toMatchObject({
      payouts_enabled: false,
      capabilities: { transfers: 'inactive' },
      requirements: { disabled_reason: 'requirements.past_due' },
    });
    // The refusal ran the endpoint: the same key answers it again even once the account is fixed.
    fake.setTransfersCapability(account.id, 'active');
    await expect(
      stripe.transfers.create(params, { idempotencyKey: 'payout:p-inactive' }),
    ).rejects.toMatchObject({
      code: 'insufficient_capabilities_for_transfer',
    });
    await expect(
      stripe.transfers.create(params, { idempotencyKey: 'payout:p-inactive-2' }),
    ).resolves.toMatchObject({
      amount: 100,
    });
    await expect(
      stripe.transfers.create(
        { ...params, destination: 'acct_missing' },
        { idempotencyKey: 'payout:p-none' },
      ),
    ).rejects.toMatchObject({ code: 'resource_missing', param: 'destination' });
  });

  it('refuses what the available balance cannot cover, and does not store a validation failure', async () => {
    const account = await connectedAccount();
    await expect(
      stripe.transfers.create(
        { amount: 51, currency: 'usd', destination: account.id },
        { idempotencyKey: 'k-usd' },
      ),
    ).rejects.toMatchObject({ code: 'balance_insufficient', statusCode: 400 });
    await expect(
      stripe.transfers.create(
        { amount: 1, currency: 'gbp', destination: account.id },
        { idempotencyKey: 'k-gbp' },
      ),
    ).rejects.toMatchObject({ code: 'balance_insufficient' });
    await expect(
      stripe.transfers.create(
        { amount: -5, currency: 'usd', destination: account.id },
        { idempotencyKey: 'k-neg' },
      ),
    ).rejects.toMatchObject({ param: 'amount' });
    // Not stored: the same key with valid parameters runs.
    await expect(
      stripe.transfers.create(
        { amount: 50, currency: 'usd', destination: account.id },
        { idempotencyKey: 'k-neg' },
      ),
    ).resolves.toMatchObject({ amount: 50 });
  });

  it('reverses in parts and in full, through the API and from the outside, and credits the balance back', async () => {
    const account = await connectedAccount();
    const transfer = await stripe.transfers.create({
      amount: 1_000,
      currency: 'eur',
      destination: account.id,
    });
    const balance = async () =>
      (await stripe.balance.retrieve()).available.find((entry) => entry.currency === 'eur')!.amount;
    const before = await balance();
    const reversal = await stripe.transfers.createReversal(
      transfer.id,
      { amount: 300 },
      { idempotencyKey: 'reverse:1' },
    );
    await stripe.transfers.createReversal(transfer.id, { amount: 300 }, { idempotencyKey: 'reverse:1' });
    expect(reversal).toMatchObject({ object: 'transfer_reversal', amount: 300, transfer: transfer.id });
    expect(await stripe.transfers.retrieve(transfer.id)).toMatchObject({
      amount_reversed: 300,
      reversed: false,
    });

    const outside = await control(`/transfers/${transfer.id}/reverse`, {});
    expect(outside.status).toBe(200);
    expect(await outside.json()).toMatchObject({ amount: 700 });
    const reversed = await stripe.transfers.retrieve(transfer.id);
    expect(reversed).toMatchObject({ amount_reversed: 1_000, reversed: true });
    expect(reversed.reversals.data.map((entry) => entry.amount)).toEqual([700, 300]);
    expect(await balance()).toBe(before + 1_000);
    await expect(stripe.transfers.createReversal(transfer.id, { amount: 1 })).rejects.toMatchObject({
      param: 'amount',
    });
    expect(fake.events.filter((event) => event.type === 'transfer.reversed')).not.toHaveLength(0);
  });

  it('lists transfers newest first by group and destination, page by page', async () => {
    const account = await connectedAccount();
    const ids: string[] = [];
    for (let index = 0; index < 5; index++) {
      const transfer = await stripe.transfers.create({
        amount: 10 + index,
        currency: 'eur',
        destination: account.id,
        transfer_group: 'payouts:list',
      });
      ids.push(transfer.id);
    }
    await stripe.transfers.create({
      amount: 1,
      currency: 'eur',
      destination: account.id,
      transfer_group: 'other',
    });
    const page = await stripe.transfers.list({ transfer_group: 'payouts:list', limit: 2 });
    expect(page.data.map((transfer) => transfer.id)).toEqual([ids[4], ids[3]]);
    expect(page.has_more).toBe(true);
    const all: string[] = [];
    for await (const transfer of stripe.transfers.list({ transfer_group: 'payouts:list', limit: 2 })) {
      all.push(transfer.id);
    }
    expect(all).toEqual([...ids].reverse());
    const byDestination = await stripe.transfers.list({ destination: account.id, limit: 100 });
    expect(byDestination.data).toHaveLength(6);
  });
});
