import { randomUUID } from 'node:crypto';
import { RailUnavailableError, type TransferRequest } from '../../src/rails/payout-rail.js';
import { StripeTransferRail } from '../../src/rails/stripe-transfer-rail.js';
import { FakeStripeProcess } from './fake-stripe-process.js';

const secretKey = 'sk_test_payouts_rails_integration';
let fake: FakeStripeProcess;
let rail: StripeTransferRail;

beforeAll(async () => {
  fake = await FakeStripeProcess.start(secretKey);
  rail = new StripeTransferRail({ secretKey, apiBase: fake.url });
});

afterAll(() => fake?.stop());

function request(accountId: string, overrides: Partial<TransferRequest> = {}): TransferRequest {
  const payoutId = randomUUID();
  return {
    payoutId,
    idempotencyKey: `payout:${payoutId}`,
    destination: { rail: 'stripe', accountId },
    amountMinor: 2_500n,
    currency: 'EUR',
    transferGroup: 'payouts:2026-11',
    description: 'OneCommons payout 2026-11',
    ...overrides,
  };
}

const outcomes = async (key: string) => (await fake.attempts(key)).map((attempt) => attempt.outcome);

describe('StripeTransferRail against the fake Stripe process', () => {
  it('pays a transfer once: the retry with the same key replays the same tr_ id', async () => {
    const account = await fake.createAccount();
    const transfer = request(account);
    const paid = await rail.transfer(transfer);
    expect(paid).toEqual({ kind: 'paid', reference: expect.stringMatching(/^tr_/) as string });
    expect(await rail.transfer(transfer)).toEqual(paid);
    expect(await outcomes(transfer.idempotencyKey)).toEqual(['created', 'replayed']);
    const toAccount = await fake.api<{ data: { id: string }[] }>(
      'GET',
      `/v1/transfers?destination=${account}`,
    );
    expect(toAccount.data.map((entry) => entry.id)).toEqual([paid.kind === 'paid' ? paid.reference : '']);

    const record = await rail.retrieve(paid.kind === 'paid' ? paid.reference : '');
    expect(record).toMatchObject({
      payoutId: transfer.payoutId,
      idempotencyKey: null,
      amountMinor: 2_500n,
      currency: 'EUR',
      destination: account,
      reversedMinor: 0n,
    });
    expect(Math.abs(record.created.getTime() - Date.now())).toBeLessThan(60_000);
  });

  it('turns a 429 into RailUnavailableError with the Retry-After hint, and nothing is stored', async () => {
    const transfer = request(await fake.createAccount());
    await fake.control('POST', '/faults', { path: '/v1/transfers', status: 429, retryAfterSeconds: 2 });
    const refused = await rail.transfer(transfer).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RailUnavailableError);
    expect((refused as RailUnavailableError).retryAfterMs).toBe(2_000);
    expect(await rail.transfer(transfer)).toMatchObject({ kind: 'paid' });
    expect(await outcomes(transfer.idempotencyKey)).toEqual(['fault', 'created']);
  });

  it('turns a 500 into RailUnavailableError; a lost response is answered by the replay', async () => {
    const transfer = request(await fake.createAccount());
    await fake.control('POST', '/faults', { path: '/v1/transfers', status: 500 });
    await expect(rail.transfer(transfer)).rejects.toBeInstanceOf(RailUnavailableError);
    expect(await rail.transfer(transfer)).toMatchObject({ kind: 'paid' });

    // The transfer is made but its answer is lost (503 after execution): the retry must not pay again.
    const lost = request(await fake.createAccount());
    await fake.control('POST', '/faults', { path: '/v1/transfers', status: 503, afterExecution: true });
    await expect(rail.transfer(lost)).rejects.toBeInstanceOf(RailUnavailableError);
    const retried = await rail.transfer(lost);
    const attempts = await fake.attempts(lost.idempotencyKey);
    expect(attempts.map((attempt) => attempt.outcome)).toEqual(['created', 'replayed']);
    expect(retried).toEqual({ kind: 'paid', reference: attempts[0]!.transfer });
  });

  it('treats an unreachable Stripe as unavailable', async () => {
    const nowhere = new StripeTransferRail({ secretKey, apiBase: 'http://127.0.0.1:9', timeoutMs: 2_000 });
    await expect(nowhere.transfer(request('acct_any'))).rejects.toBeInstanceOf(RailUnavailableError);
  });

  it('declines transfers the destination cannot receive, and those the balance cannot cover', async () => {
    const account = await fake.createAccount();
    await fake.control('POST', `/accounts/${account}/capabilities/transfers`, { status: 'inactive' });
    expect(await rail.transfer(request(account))).toMatchObject({
      kind: 'declined',
      code: 'insufficient_capabilities_for_transfer',
      accountProblem: true,
    });
    expect(await rail.transfer(request('acct_doesnotexist'))).toMatchObject({
      kind: 'declined',
      code: 'no_account',
      accountProblem: true,
    });
    // The fake's platform balance holds EUR and USD only.
    expect(await rail.transfer(request(await fake.createAccount(), { currency: 'GBP' }))).toMatchObject({
      kind: 'declined',
      code: 'balance_insufficient',
      accountProblem: false,
    });
  });

  it('refuses an idempotency key reused with other parameters as a bug, not as a transient failure', async () => {
    const transfer = request(await fake.createAccount());
    await rail.transfer(transfer);
    const reused = await rail.transfer({ ...transfer, amountMinor: 2_501n }).catch((error: unknown) => error);
    expect(reused).toBeInstanceOf(Error);
    expect(reused).not.toBeInstanceOf(RailUnavailableError);
    expect((reused as Error).message).toMatch(/idempotency key/);
  });

  it('reverses a transfer in part, and sees a reversal made from the outside', async () => {
    const paid = await rail.transfer(request(await fake.createAccount(), { amountMinor: 10_000n }));
    if (paid.kind !== 'paid') throw new Error('expected a paid transfer');
    expect(await rail.reverse(paid.reference, 4_000n, `reverse:${paid.reference}`)).toEqual({
      reversedMinor: 4_000n,
    });
    expect(await rail.reverse(paid.reference, 4_000n, `reverse:${paid.reference}`)).toEqual({
      reversedMinor: 4_000n,
    });
    expect((await rail.retrieve(paid.reference)).reversedMinor).toBe(4_000n);
    await fake.control('POST', `/transfers/${paid.reference}/reverse`, {});
    expect((await rail.retrieve(paid.reference)).reversedMinor).toBe(10_000n);
  });

  it('lists every transfer of a group across pages', async () => {
    const account = await fake.createAccount();
    const group = `payouts:list-${randomUUID()}`;
    const made: string[] = [];
    for (let index = 0; index < 103; index++) {
      const paid = await rail.transfer(
        request(account, { transferGroup: group, amountMinor: BigInt(index + 1) }),
      );
      if (paid.kind === 'paid') made.push(paid.reference);
    }
    await rail.transfer(request(account, { transferGroup: 'payouts:elsewhere' }));
    const listed = [];
    for await (const record of rail.listTransfers(group)) listed.push(record);
    expect(listed.map((record) => record.reference)).toEqual([...made].reverse());
    expect(listed.reduce((sum, record) => sum + record.amountMinor, 0n)).toBe((103n * 104n) / 2n);
    expect(listed.every((record) => record.payoutId !== null && record.destination === account)).toBe(true);
  });

  it('checks whether an account can be paid', async () => {
    const account = await fake.createAccount();
    expect(await rail.checkAccount(account)).toEqual({ verified: true, reason: null, requirements: [] });
    await fake.control('POST', `/accounts/${account}/capabilities/transfers`, { status: 'inactive' });
    expect(await rail.checkAccount(account)).toEqual({
      verified: false,
      reason: 'requirements.past_due',
      requirements: ['individual.verification.document'],
    });
    expect(await rail.checkAccount('acct_doesnotexist')).toEqual({
      verified: false,
      reason: 'no_account',
      requirements: [],
    });
  });
});
