import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eventually, TEST_INTERNAL_API_TOKEN, testStack } from '@onecommons/testing';
import { bullmqPrefixOf } from '@onecommons/service-kit';
import { Redis } from 'ioredis';
import { PAYOUT_QUEUE } from '../src/execution/payout-queue.js';
import { type Account, PayoutsStack } from './payouts-stack.js';

// Payouts (docs/payout-rules.md) against real Kafka, Postgres and Redis and the fake Stripe as its own process: thresholds
// and carry-forward, holds, rail declines, transient rail failures, reversals (ours and Stripe's), the bank
// file rail, statements, and a worker killed mid-batch with Redis flushed: nobody is paid twice or lost.

const PA = '2021-03';
const PB = '2021-04';
const PC = '2021-05';
const repoRoot = path.join(import.meta.dirname, '..', '..', '..');

let stack: PayoutsStack;
const members: Record<'paid' | 'carried' | 'missing' | 'fraud' | 'bank' | 'declined', Account> = {} as never;
let provider: { id: string; owner: Account };
const payee = (account: Account) => `member:${account.id}`;
let providerPayee: string;

interface PayeeView {
  balances: { currency: string; payableMinor: string; inFlightMinor: string }[];
  payoutAccount: { status: string; statusReason: string | null } | null;
  nextPayout: {
    status: string;
    reason: string | null;
    lines: { currency: string; outcome: string; reason: string | null }[];
  };
}

const payable = async (key: string, token: string) =>
  (await stack.call<PayeeView>('GET', `/payees/${key}`, token)).body.balances.find(
    (b) => b.currency === 'EUR',
  )?.payableMinor ?? '0';

beforeAll(async () => {
  stack = await PayoutsStack.start({ PAYOUTS_WORKER_CONCURRENCY: '2' });
  for (const name of ['paid', 'carried', 'missing', 'fraud', 'bank', 'declined'] as const)
    members[name] = await stack.account(name);
  provider = await stack.organization('provider');
  providerPayee = `provider:${provider.id}`;
});

afterAll(async () => {
  await stack?.stop();
});

describe('payees', () => {
  it('set up how they are paid; others see nothing and admins cannot redirect money', async () => {
    await stack.stripeAccount(payee(members.paid), members.paid);
    await stack.stripeAccount(payee(members.carried), members.carried);
    await stack.stripeAccount(payee(members.fraud), members.fraud);
    await stack.stripeAccount(payee(members.declined), members.declined);
    await stack.stripeAccount(providerPayee, provider.owner);

    const bank = await stack.call<{ status: string; display: string }>(
      'PUT',
      `/payees/${payee(members.bank)}/payout-account`,
      members.bank.token,
      { rail: 'bank', holderName: 'Bank Member', iban: 'NL91 ABNA 0417 1643 00' },
    );
    expect(bank).toMatchObject({
      status: 200,
      body: { status: 'unverified', display: 'Bank Member, NL91…4300' },
    });

    const invalid = await stack.call(
      'PUT',
      `/payees/${payee(members.missing)}/payout-account`,
      members.missing.token,
      {
        rail: 'bank',
        holderName: 'X',
        iban: 'NL91ABNA0417164301',
      },
    );
    expect(invalid).toMatchObject({ status: 400, body: { error: { code: 'invalid_iban', field: 'iban' } } });
    const unknownStripe = await stack.call<{ status: string; statusReason: string }>(
      'PUT',
      `/payees/${payee(members.missing)}/payout-account`,
      members.missing.token,
      { rail: 'stripe', accountId: 'acct_doesnotexist' },
    );
    expect(unknownStripe).toMatchObject({
      status: 200,
      body: { status: 'unverified', statusReason: 'no_account' },
    });
    expect(
      await stack.payouts.query(
        `SELECT count(*)::int AS n FROM payout_accounts WHERE payee = $1 AND active`,
        [payee(members.missing)],
      ),
    ).toEqual([{ n: 1 }]);
    // Back to no account at all: the invalid IBAN wrote nothing, the unknown Stripe account is replaced by none.
    await stack.payouts.query(`DELETE FROM payout_accounts WHERE payee = $1`, [payee(members.missing)]);

    expect((await stack.call('GET', `/payees/${payee(members.paid)}`, members.carried.token)).status).toBe(
      404,
    );
    expect((await stack.call('GET', `/payees/${providerPayee}`, members.paid.token)).status).toBe(404);
    expect((await stack.call('GET', `/payees/${payee(members.paid)}`)).status).toBe(401);
    expect((await stack.call('GET', `/payees/${payee(members.paid)}`, stack.admin.token)).status).toBe(200);
    expect(
      (
        await stack.call('PUT', `/payees/${payee(members.paid)}/payout-account`, stack.admin.token, {
          rail: 'stripe',
          accountId: 'acct_admin',
        })
      ).status,
    ).toBe(403);
    expect(await stack.call('GET', '/payees/someone', stack.admin.token)).toMatchObject({
      status: 400,
      body: { error: { field: 'payee' } },
    });

    const hold = await stack.call<{ id: string }>(
      'POST',
      `/payees/${payee(members.fraud)}/holds`,
      stack.admin.token,
      {
        reason: 'fraud_review',
        note: 'velocity check',
      },
    );
    expect(hold.status).toBe(201);
    expect(
      (
        await stack.call('POST', `/payees/${payee(members.fraud)}/holds`, members.fraud.token, {
          reason: 'fraud_review',
        })
      ).status,
    ).toBe(403);
  });
});

describe('a period’s payout batch', () => {
  it('pays balances at the threshold, carries smaller ones forward and holds the rest', async () => {
    // The provider's transfer meets a rate limit twice and a server error once before it goes through.
    await stack.stripe.control('POST', '/faults', {
      path: '/v1/transfers',
      method: 'POST',
      status: 429,
      count: 2,
      retryAfterSeconds: 1,
    });
    await stack.closePeriod(PA, {
      [payee(members.paid)]: 1500n,
      [payee(members.carried)]: 400n,
      [payee(members.missing)]: 2000n,
      [payee(members.fraud)]: 3000n,
      [payee(members.bank)]: 2500n,
      [providerPayee]: 5000n,
    });
    const lines = await stack.payouts.query<{ payee: string; outcome: string; reason: string | null }>(
      `SELECT payee, outcome, reason FROM batch_lines WHERE period = $1 ORDER BY payee`,
      [PA],
    );
    const outcomeOf = (key: string) => lines.find((line) => line.payee === key);
    expect(outcomeOf(payee(members.paid))).toMatchObject({ outcome: 'paid' });
    expect(outcomeOf(providerPayee)).toMatchObject({ outcome: 'paid' });
    expect(outcomeOf(payee(members.carried))).toMatchObject({
      outcome: 'carried',
      reason: 'below_threshold:1000',
    });
    expect(outcomeOf(payee(members.missing))).toMatchObject({
      outcome: 'held',
      reason: 'missing_payout_account',
    });
    expect(outcomeOf(payee(members.fraud))).toMatchObject({ outcome: 'held', reason: 'fraud_review' });
    expect(outcomeOf(payee(members.bank))).toMatchObject({
      outcome: 'held',
      reason: 'unverified_payout_account',
    });

    const paid = await stack.settled(payee(members.paid), PA, 'succeeded');
    const providerPaid = await stack.settled(providerPayee, PA, 'succeeded');
    expect(paid.reference).toMatch(/^tr_/);
    const created = async (id: string) =>
      (await stack.stripe.attempts(`payout:${id}`)).filter((attempt) => attempt.outcome === 'created');
    expect(await created(paid.id)).toHaveLength(1);
    expect(await created(providerPaid.id)).toHaveLength(1);
    expect(
      (await stack.stripe.attempts(`payout:${providerPaid.id}`)).some((a) => a.outcome === 'fault'),
    ).toBe(true);

    expect(await payable(payee(members.paid), members.paid.token)).toBe('0');
    expect(await payable(payee(members.carried), members.carried.token)).toBe('400');
    expect(await payable(payee(members.missing), members.missing.token)).toBe('2000');
    const carried = await stack.call<PayeeView>(
      'GET',
      `/payees/${payee(members.carried)}`,
      members.carried.token,
    );
    // The view decides with the batch's own rule, so it says what the batch recorded (the standing is unchanged).
    expect(carried.body.nextPayout).toMatchObject({
      status: 'below_threshold',
      reason: 'below_threshold:1000',
      lines: [{ currency: 'EUR', outcome: 'carried', reason: 'below_threshold:1000' }],
    });
    const bank = await stack.call<PayeeView>('GET', `/payees/${payee(members.bank)}`, members.bank.token);
    expect(bank.body.nextPayout).toMatchObject({
      status: 'held',
      reason: 'unverified_payout_account',
      lines: [{ currency: 'EUR', outcome: 'held', reason: 'unverified_payout_account' }],
    });
    const missing = await stack.call<PayeeView>(
      'GET',
      `/payees/${payee(members.missing)}`,
      members.missing.token,
    );
    expect(missing.body.nextPayout).toEqual(
      expect.objectContaining({ status: 'held', reason: 'missing_payout_account' }),
    );

    const events = await stack.payouts.query<{ event_type: string }>(
      `SELECT event_type FROM outbox WHERE message_key = $1 ORDER BY id`,
      [paid.id],
    );
    expect(events.map((row) => row.event_type)).toEqual([
      'onecommons.payouts.payout.scheduled.v1',
      'onecommons.payouts.payout.succeeded.v1',
    ]);
  });

  it('is made once per period: a redelivered close schedules nothing more', async () => {
    const before = await stack.payouts.query(`SELECT count(*)::int AS n FROM payouts WHERE period = $1`, [
      PA,
    ]);
    await stack.closePeriod(PA, { [payee(members.paid)]: 1500n });
    expect(
      await stack.payouts.query(`SELECT count(*)::int AS n FROM payouts WHERE period = $1`, [PA]),
    ).toEqual(before);
    expect(await payable(payee(members.paid), members.paid.token)).toBe('0'); // the same redemption credits once
  });

  it('explains a payee’s period in its statement: credits traced to the allocation, the batch, the payout', async () => {
    const statement = await stack.call<{
      credits: { amountMinor: string; allocationProof: string }[];
      batch: { lines: { outcome: string }[]; payouts: { state: string; transitions: { to: string }[] }[] };
      opening: unknown[];
      closing: { currency: string; amountMinor: string }[];
    }>('GET', `/payees/${payee(members.paid)}/statement?period=${PA}`, members.paid.token);
    expect(statement.status).toBe(200);
    expect(statement.body.credits).toEqual([
      expect.objectContaining({
        amountMinor: '1500',
        allocationProof: `/api/ledger/v1/periods/${PA}/proofs/${payee(members.paid)}`,
      }),
    ]);
    expect(statement.body.batch.lines).toEqual([expect.objectContaining({ outcome: 'paid' })]);
    expect(statement.body.batch.payouts[0]?.transitions.map((t) => t.to)).toEqual([
      'scheduled',
      'submitting',
      'succeeded',
    ]);
    expect(statement.body.closing).toEqual([{ currency: 'EUR', amountMinor: '0' }]);
  });
});

describe('rail failures and reversals', () => {
  it('returns a declined payout’s amount to the payable balance and holds the payee until it fixes its account', async () => {
    const accountId = await stack.stripeAccount(payee(members.declined), members.declined);
    // Stripe disables the account and its webhook is late: the transfer is tried, and declined.
    await stack.stripe.control('POST', '/webhooks/hold');
    await stack.stripe.control('POST', `/accounts/${accountId}/capabilities/transfers`, {
      status: 'inactive',
    });
    await stack.closePeriod('2021-06', { [payee(members.declined)]: 1800n });
    const failed = await stack.settled(payee(members.declined), '2021-06', 'failed');
    await stack.stripe.control('POST', '/webhooks/release');
    expect(failed.reference).toBeNull();
    expect(await payable(payee(members.declined), members.declined.token)).toBe('1800');
    const view = await stack.call<PayeeView>(
      'GET',
      `/payees/${payee(members.declined)}`,
      members.declined.token,
    );
    expect(view.body.payoutAccount?.status).toBe('unverified');
    expect(view.body.nextPayout.status).toBe('held');
    const [row] = await stack.payouts.query<{ failure_code: string }>(
      `SELECT failure_code FROM payouts WHERE id = $1`,
      [failed.id],
    );
    expect(row?.failure_code).toBeTruthy();
  });

  it('reverses a paid payout at Stripe (admin) and makes the amount payable again; only once', async () => {
    const paid = await stack.payoutOf(payee(members.paid), PA);
    expect(
      (await stack.call('POST', `/payouts/${paid?.id}/reversal`, members.paid.token, { reason: 'mine' }))
        .status,
    ).toBe(403);
    const reversed = await stack.call<{ state: string }>(
      'POST',
      `/payouts/${paid?.id}/reversal`,
      stack.admin.token,
      {
        reason: 'paid the wrong account',
      },
    );
    expect(reversed).toMatchObject({ status: 200, body: { state: 'reversed' } });
    const transfer = await stack.stripe.api<{ reversed: boolean; amount_reversed: number }>(
      'GET',
      `/v1/transfers/${paid?.reference}`,
    );
    expect(transfer).toMatchObject({ reversed: true, amount_reversed: 1500 });
    expect(await payable(payee(members.paid), members.paid.token)).toBe('1500');
    const again = await stack.call('POST', `/payouts/${paid?.id}/reversal`, stack.admin.token, {
      reason: 'again',
    });
    expect(again).toMatchObject({ status: 409, body: { error: { code: 'payout_not_paid' } } });
  });

  it('notices a transfer Stripe reversed on its own, and returns the amount', async () => {
    const paid = await stack.payoutOf(providerPayee, PA);
    await stack.stripe.control('POST', `/transfers/${paid?.reference}/reverse`, {});
    await stack.settled(providerPayee, PA, 'reversed');
    expect(await payable(providerPayee, provider.owner.token)).toBe('5000');
  });
});

describe('the next period', () => {
  it('pays what was carried forward once above the threshold, released holds, returned amounts and bank payouts', async () => {
    const hold = await stack.payouts.query<{ id: string }>(`SELECT id FROM holds WHERE payee = $1`, [
      payee(members.fraud),
    ]);
    expect(
      (
        await stack.call(
          'POST',
          `/payees/${payee(members.fraud)}/holds/${hold[0]?.id}/release`,
          stack.admin.token,
        )
      ).status,
    ).toBe(204);
    expect(
      (
        await stack.call(
          'POST',
          `/payees/${payee(members.bank)}/payout-account/verification`,
          stack.admin.token,
        )
      ).status,
    ).toBe(200);
    await stack.closePeriod(PB, { [payee(members.carried)]: 700n });

    const carried = await stack.settled(payee(members.carried), PB, 'succeeded');
    expect(carried.amount_minor).toBe('1100');
    expect((await stack.settled(payee(members.fraud), PB, 'succeeded')).amount_minor).toBe('3000');
    expect((await stack.settled(payee(members.paid), PB, 'succeeded')).amount_minor).toBe('1500');
    const bank = await stack.settled(payee(members.bank), PB, 'submitted');
    expect(bank.amount_minor).toBe('2500');

    const file = await fetch(`${stack.payouts.url}/api/payouts/v1/payout-batches/${PB}/bank-file`, {
      headers: { authorization: `Bearer ${stack.admin.token}` },
    });
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toContain('application/xml');
    const xml = await file.text();
    expect(xml).toContain('urn:iso:std:iso:20022:tech:xsd:pain.001.001.09');
    expect(xml).toContain(`<EndToEndId>${bank.id.replaceAll('-', '')}</EndToEndId>`);
    expect(xml).toContain('<IBAN>NL91ABNA0417164300</IBAN>');
    expect(xml).toContain('<InstdAmt Ccy="EUR">25.00</InstdAmt>');

    const settled = await stack.call<{ state: string }>(
      'POST',
      `/payouts/${bank.id}/settlement`,
      stack.admin.token,
      {
        outcome: 'settled',
      },
    );
    expect(settled).toMatchObject({ status: 200, body: { state: 'succeeded' } });
    expect(await payable(payee(members.bank), members.bank.token)).toBe('0');
    const batch = await stack.call<{ lines: { outcome: string; payees: number }[] }>(
      'GET',
      `/payout-batches/${PB}`,
      stack.admin.token,
    );
    expect(batch.status).toBe(200);
    expect(batch.body.lines).toEqual(expect.arrayContaining([expect.objectContaining({ outcome: 'paid' })]));
  });
});

describe('a worker killed mid-batch, with Redis flushed', () => {
  it('pays every payout exactly once: no second transfer, none lost', async () => {
    const payees: Account[] = [];
    for (let index = 0; index < 12; index += 1) {
      const account = await stack.account(`batch-${index}`);
      await stack.stripeAccount(payee(account), account);
      payees.push(account);
    }
    // Stripe executes the first 16 transfer calls but their answers are lost: the worker retries them later,
    // after backoffs that keep the batch open past the kill.
    await stack.stripe.control('POST', '/faults', {
      path: '/v1/transfers',
      method: 'POST',
      status: 500,
      count: 16,
      afterExecution: true,
    });
    await stack.closePeriod(
      PC,
      Object.fromEntries(payees.map((account, index) => [payee(account), BigInt(1000 + index)])),
    );
    await eventually('some payouts of the batch to have reached Stripe', async () => {
      const [row] = await stack.payouts.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM payouts WHERE period = $1 AND attempts > 0`,
        [PC],
      );
      return (row?.n ?? 0) >= 2 ? true : undefined;
    });
    await stack.payouts.kill('SIGKILL');
    const redis = new Redis(testStack().redisUrl);
    try {
      // Every key of the payouts' queue goes, the jobs the killed worker held among them: only the sweeper
      // (Postgres's open payouts) can bring them back, not BullMQ's stalled-job check.
      const prefix = `${bullmqPrefixOf(undefined, stack.payouts.schema)}:${PAYOUT_QUEUE}:`;
      const keys = await redis.keys(`${prefix}*`);
      expect(keys.length).toBeGreaterThan(0);
      await redis.del(...keys);
      expect(await redis.keys(`${prefix}*`)).toEqual([]);
    } finally {
      redis.disconnect();
    }
    await stack.payouts.start();

    // Alone it takes about 9 s; beside the other integration files on two cores it has taken over 60.
    await stack.batchPaid(PC, 12, 180_000);
    const payouts = await stack.payouts.query<{ id: string; reference: string; amount_minor: string }>(
      `SELECT id, reference, amount_minor::text AS amount_minor FROM payouts WHERE period = $1`,
      [PC],
    );
    for (const payout of payouts) {
      const attempts = await stack.stripe.attempts(`payout:${payout.id}`);
      expect(attempts.filter((attempt) => attempt.outcome === 'created')).toHaveLength(1);
    }
    const transfers = await stack.stripe.api<{
      data: { id: string; amount: number; metadata: { payout_id: string } }[];
    }>('GET', `/v1/transfers?transfer_group=payouts:${PC}&limit=100`);
    expect(transfers.data).toHaveLength(12);
    expect(new Set(transfers.data.map((transfer) => transfer.metadata.payout_id)).size).toBe(12);
    for (const payout of payouts)
      expect(transfers.data.find((transfer) => transfer.id === payout.reference)?.amount).toBe(
        Number(payout.amount_minor),
      );

    // Payouts' own reconcile report sees the same: one transfer per payout.
    const report = reconcileReport(PC);
    expect(report.payouts).toHaveLength(12);
    expect(report.transfers).toHaveLength(12);
    // (Its held total depends on the ledger events other tests put on the shared topic.)
    expect(report.batch).toMatchObject({ exists: true, carried: '0' });
  }, 300_000);
});

function reconcileReport(period: string) {
  const env = path.join(tmpdir(), `payouts-${stack.payouts.schema}.env`);
  writeFileSync(
    env,
    [
      'NODE_ENV=test',
      'LOG_LEVEL=error',
      'HTTP_PORT=1',
      `DATABASE_URL=${testStack().services['payouts']?.databaseUrl}`,
      `DATABASE_SCHEMA=${stack.payouts.schema}`,
      `REDIS_URL=${testStack().redisUrl}`,
      `KAFKA_BROKERS=${testStack().kafkaBrokers}`,
      `STRIPE_SECRET_KEY=sk_test_payouts_integration`,
      `STRIPE_API_BASE=${stack.stripe.url}`,
      'STRIPE_CONNECT_WEBHOOK_SECRET=whsec_reconcile_unused',
      'PUBLIC_URL=http://onecommons.test',
      `PAYOUTS_ACCOUNT_ENCRYPTION_KEY=${Buffer.alloc(32, 1).toString('base64')}`,
      'AUTH_JWKS_URL=http://127.0.0.1:9/jwks.json',
      'AUTH_ACCESS_URL=http://127.0.0.1:9/access',
      `INTERNAL_API_TOKEN=${TEST_INTERNAL_API_TOKEN}`,
    ].join('\n') + '\n',
  );
  const run = spawnSync(
    process.execPath,
    [
      `--env-file=${env}`,
      path.join(repoRoot, 'services/payouts/dist/src/main.js'),
      'reconcile',
      '--period',
      period,
    ],
    { encoding: 'utf8' },
  );
  expect({ code: run.status, stderr: run.status === 0 ? '' : run.stderr }).toEqual({ code: 0, stderr: '' });
  return (
    JSON.parse(run.stdout.trim().split('\n').at(-1) as string) as {
      payouts: Record<string, unknown[] & object>;
    }
  ).payouts as unknown as { payouts: unknown[]; transfers: unknown[]; batch: Record<string, unknown> };
}
