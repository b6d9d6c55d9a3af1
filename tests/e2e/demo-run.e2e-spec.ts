import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { periodOf, shiftPeriod } from '@onecommons/contracts';
import { eventually, reconcilePayouts, testStack } from '@onecommons/testing';
import pg from 'pg';
import { runCommons, runDemo, seedDemo } from './commons-cli.js';
import { suiteFetch } from './suite-address.js';
import { call, newAccount, PASSWORD, platformAdmin, serviceEnvironmentValue } from './gateway-client.js';

// The whole story (`commons demo run`, what `./dev start` runs) and the money's way out, across services: the
// seeded payments, a month of usage reported by the demo's services, the period closed (the ledger redeems
// the payees' allocations), payouts paying through the local Stripe and a bank file, and `commons payouts
// reconcile` finding ledger, payouts and Stripe in agreement.

const stack = testStack();
const workDir = mkdtempSync(path.join(tmpdir(), 'demo-run-'));
const period = periodOf(new Date());
const runId = randomUUID();
/** Single usage events sent before the demo's traffic and close. */
const BURST = 200;

interface SeedFile {
  admin: { token: string };
  subscribers: { id: string }[];
  services: { id: string; apiKey: string }[];
  payees: { payee: string; label: string; payoutAccount: string | null }[];
}

const database = new pg.Pool({ connectionString: stack.postgresAdminUrl, max: 1 });

afterAll(async () => {
  rmSync(workDir, { recursive: true, force: true });
  await database.end();
});

/**
 * What payees were owed before this period's credits: other suites close periods of their own (e.g. a past
 * period with a payee held for want of a payout account), and a batch carries every open balance.
 */
async function owedFromEarlierPeriods(): Promise<bigint> {
  const [row] = (
    await database.query<{ owed: string }>(
      `SELECT (coalesce((SELECT sum(amount_minor) FROM payouts.payable_credits WHERE period <> $1), 0)
             - coalesce((SELECT sum(amount_minor) FROM payouts.payouts
                          WHERE period <> $1 AND state NOT IN ('failed', 'reversed')), 0))::text AS owed`,
      [period],
    )
  ).rows;
  return BigInt(row?.owed ?? '0');
}

/** A usage event as a service reports it (CloudEvents, structured mode). */
function usageEvent(seed: SeedFile, index: number) {
  const subscriber = seed.subscribers[index % seed.subscribers.length] as { id: string };
  const service = seed.services[index % seed.services.length] as { id: string; apiKey: string };
  return {
    apiKey: service.apiKey,
    event: {
      specversion: '1.0',
      id: `burst-${runId}-${index}`,
      source: '/e2e/close-burst',
      type: 'onecommons.usage.v1',
      subject: subscriber.id,
      time: new Date().toISOString(),
      data: { service: service.id, meter: 'requests', quantity: 1 + (index % 5) },
    },
  };
}

/** Reports a usage event as a well-behaved service does: a 429 of the gateway is waited out and sent again. */
function report(apiKey: string, event: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  return call('POST', '/api/metering/v1/events', {
    credential: apiKey,
    body: event,
    contentType: 'application/cloudevents+json',
  });
}

// docs/trust-rules.md, issue #19: a burst of single usage events, then the period force-closed at once (the demo closes it
// right after its own traffic, retrying on 409 usage_not_consumed): the close holds every acknowledged event.
// The burst outruns the gateway's per-address limit (50/s, bursts of 100) on a fast run: refused events (429)
// are not acknowledged, and are sent again.
describe('a burst of usage before the close', () => {
  it('is acknowledged event by event', async () => {
    const admin = await platformAdmin();
    const seed = await seedDemo<SeedFile>(path.join(workDir, 'seed.json'), {
      email: admin.email,
      password: PASSWORD,
    });
    const answers: number[] = [];
    for (let from = 0; from < BURST; from += 10)
      answers.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(10, BURST - from) }, async (_, offset) => {
            const { apiKey, event } = usageEvent(seed, from + offset);
            return (await report(apiKey, event)).status;
          }),
        )),
      );
    expect(answers.filter((status) => status !== 202)).toEqual([]);
  }, 300_000); // a demo seed and a month of usage: past 120 s on a loaded 2-core machine
});

describe('commons demo run', () => {
  it('seeds, simulates the month, closes it, pays out and sums it up; a rerun changes nothing', async () => {
    const admin = await platformAdmin();
    const out = path.join(workDir, 'seed.json');
    const first = await runDemo<SeedFile>(out, { email: admin.email, password: PASSWORD });
    expect(first.summary).toContain(`OneCommons demo: ${period} closed and paid out`);
    expect(first.summary).toMatch(/Cloud providers\s+3\s/);
    expect(first.summary).toMatch(/paid \(Stripe Connect transfers\)\s+\d+\s+\d+\.\d\d/);
    // At least the demo's member without a payout account (other tests' payees may be held too).
    expect(first.summary).toMatch(/held \(hold or no payout account\)\s+[1-9]\d*\s/);
    expect(first.log).toMatch(/usage 100%/);
    expect(first.seed.payees.filter((payee) => payee.payoutAccount === null)).toHaveLength(1);

    // A bank payout (the operator paid by bank, when its share reached the threshold) went out in the
    // batch's pain.001 file, which the demo saved.
    if (/awaiting the bank \(pain\.001 file\)\s+[1-9]/.test(first.summary)) {
      const bankFile = path.join(workDir, `bank-file-${period}.xml`);
      expect(readFileSync(bankFile, 'utf8')).toContain('<IBAN>NL91ABNA0417164300</IBAN>');
    }

    const again = await runDemo<SeedFile>(out, { email: admin.email, password: PASSWORD });
    // The same events again (a day's new ones at most): counted once.
    expect(again.summary).toMatch(/\d+ usage events sent \(\d+ new, [1-9]\d* already counted\)/);
    const totals = (summary: string) =>
      summary.split('\n').filter((line) => /^\s*(Revenue|paid|held|carried)/.test(line));
    expect(totals(again.summary)).toEqual(totals(first.summary));
  }, 300_000); // a demo seed and a month of usage: past 120 s on a loaded 2-core machine

  it('leaves ledger, payouts and Stripe in agreement, with no transfer made twice', async () => {
    const admin = await platformAdmin();
    // The bank confirms the bank payout.
    const bank = await call<{ items: { id: string; rail: string }[] }>(
      'GET',
      `/api/payouts/v1/payouts?period=${period}&state=submitted`,
      { credential: admin.token },
    );
    expect(bank.body.items.every((payout) => payout.rail === 'bank')).toBe(true);
    for (const payout of bank.body.items)
      expect(
        (
          await call('POST', `/api/payouts/v1/payouts/${payout.id}/settlement`, {
            credential: admin.token,
            body: { outcome: 'settled' },
          })
        ).status,
      ).toBe(200);

    // The ledger mirrors payouts' steps through Kafka; then ledger, payouts and Stripe agree.
    const reconciled = await eventually(
      'ledger, payouts and Stripe to agree',
      async () => {
        const run = await reconcilePayouts(period, stack.envDir);
        const last = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
        if (run.code === 0 && last['consistent'] === true) return last;
        throw new Error(`not consistent: ${JSON.stringify(last['problems'] ?? run.stderr)}`);
      },
      { timeoutMs: 30_000, intervalMs: 1_000 },
    );
    expect(reconciled).toMatchObject({ duplicates: 0, consistent: true, inFlight: '0' });
    const amount = (key: string) => BigInt(reconciled[key] as string);
    expect(amount('paid')).toBeGreaterThan(0n);
    expect(amount('held')).toBeGreaterThan(0n);
    // Everything redeemed, and whatever was owed before, is paid, returned, carried forward or held.
    expect(amount('redeemed') + (await owedFromEarlierPeriods())).toBe(
      amount('paid') + amount('returned') + amount('carried') + amount('held'),
    );

    const verified = await runCommons([
      'ledger',
      'verify',
      '--env-file',
      path.join(stack.envDir, 'ledger.env'),
    ]);
    expect({ code: verified.code, stderr: verified.code === 0 ? '' : verified.stderr }).toEqual({
      code: 0,
      stderr: '',
    });

    // A paid payee's statement: its credit traced to the allocation, and its payout.
    const paid = await call<{ items: { payee: string }[] }>(
      'GET',
      `/api/payouts/v1/payouts?period=${period}&state=succeeded&limit=1`,
      { credential: admin.token },
    );
    const payee = (paid.body.items[0] as { payee: string }).payee;
    const statement = await call<{
      credits: { allocationProof: string }[];
      batch: { payouts: { state: string }[] };
    }>('GET', `/api/payouts/v1/payees/${payee}/statement?period=${period}`, { credential: admin.token });
    expect(statement.status).toBe(200);
    expect(statement.body.credits).toHaveLength(1);
    expect(statement.body.batch.payouts.map((payout) => payout.state)).toEqual(['succeeded']);
    const proof = await call(
      'GET',
      (statement.body.credits[0] as { allocationProof: string }).allocationProof,
      {
        credential: admin.token,
      },
    );
    expect(proof.status).toBe(200);
  });
});

describe('the closed period', () => {
  it('holds every usage event metering acknowledged for it', async () => {
    const admin = await platformAdmin();
    const seed = JSON.parse(readFileSync(path.join(workDir, 'seed.json'), 'utf8')) as SeedFile;
    const view = await call<{ status: string; usageWatermark: Record<string, unknown> }>(
      'GET',
      `/api/ledger/v1/periods/${period}`,
      { credential: admin.token },
    );
    expect(view.body).toMatchObject({ status: 'closed', usageWatermark: { sealed: true, behind: '0' } });
    const input = await call<{
      usage: { subscriber: string; service: string; meter: string; quantity: string }[];
    }>('GET', `/api/ledger/v1/periods/${period}/input`, { credential: admin.token });
    expect(input.status).toBe(200);
    // Each paying subscriber's usage as metering acknowledged it is exactly what the close allocated.
    for (const { id } of seed.subscribers) {
      const metered = await call<{ items: { service: string; meter: string; quantity: string }[] }>(
        'GET',
        `/api/metering/v1/usage?subscriber=${id}&period=${period}`,
        { credential: admin.token },
      );
      const rows = (items: readonly { service: string; meter: string; quantity: string }[]) =>
        items
          .filter((row) => BigInt(row.quantity) > 0n)
          .map((row) => `${row.service} ${row.meter} ${row.quantity}`)
          .sort();
      expect({ id, usage: rows(input.body.usage.filter((row) => row.subscriber === id)) }).toEqual({
        id,
        usage: rows(metered.body.items),
      });
    }
    // The burst is in it.
    const burst = Array.from({ length: BURST }, (_, index) => usageEvent(seed, index).event);
    const first = burst[0] as (typeof burst)[number];
    expect(
      input.body.usage.some(
        (row) =>
          row.subscriber === first.subject && row.service === first.data.service && row.meter === 'requests',
      ),
    ).toBe(true);
  });

  it('refuses usage for it afterwards with period_closed', async () => {
    const seed = JSON.parse(readFileSync(path.join(workDir, 'seed.json'), 'utf8')) as SeedFile;
    const { apiKey, event } = usageEvent(seed, BURST);
    const late = await report(apiKey, { ...event, id: `late-${runId}` });
    expect(late.status).toBeGreaterThanOrEqual(400);
    expect(late.status).toBeLessThan(500);
    expect(late.body).toMatchObject({ error: { code: 'period_closed' } });
  });

  it('traces every amount to usage: each account’s statement lines sum to its row, each subscriber’s to its tokens', async () => {
    const admin = await platformAdmin();
    const seed = JSON.parse(readFileSync(path.join(workDir, 'seed.json'), 'utf8')) as SeedFile;
    const sum = (lines: readonly { amount: string }[]) =>
      lines.reduce((total, line) => total + BigInt(line.amount), 0n);
    const allocation = await call<{ allocations: { account: string; amount: string }[] }>(
      'GET',
      `/api/ledger/v1/periods/${period}/allocations`,
      { credential: admin.token },
    );
    const roles = new Set<string>();
    for (const row of allocation.body.allocations) {
      const statement = await call<{ lines: { role: string; amount: string }[] }>(
        'GET',
        `/api/ledger/v1/statements/accounts/${row.account}?period=${period}`,
        { credential: admin.token },
      );
      expect({ account: row.account, sum: sum(statement.body.lines) }).toEqual({
        account: row.account,
        sum: BigInt(row.amount),
      });
      for (const line of statement.body.lines) roles.add(line.role);
    }
    // The demo's projects depend on each other: some members are paid through a dependency.
    expect([...roles].sort()).toEqual(
      expect.arrayContaining(['dependency', 'developer', 'operator', 'provider']),
    );
    for (const { id } of seed.subscribers) {
      const statement = await call<{
        tokens: string;
        generalFund: string;
        services: { credits: { amount: string }[]; project: { recipients: { amount: string }[] } | null }[];
      }>('GET', `/api/ledger/v1/statements/subscribers/${id}?period=${period}`, { credential: admin.token });
      if (statement.status === 404) continue; // a free subscriber: no tokens
      const reached = statement.body.services.flatMap((service) => [
        ...service.credits,
        ...(service.project?.recipients ?? []),
      ]);
      expect({ id, sum: BigInt(statement.body.generalFund) + sum(reached) }).toEqual({
        id,
        sum: BigInt(statement.body.tokens),
      });
    }
  });
});

// Issue #26: the closed period once metering has archived its usage. When the clock passes the correction window,
// metering's maintenance detaches the period's usage partitions; here the same function detaches them now. What
// the ledger and payouts show of the period comes from what they keep (the ledger's frozen projection and its
// journal), so it is unchanged, and a replay of the ledger still recomputes the close from the topics.
describe('the closed period, after metering archived its usage', () => {
  it('keeps its statements, proofs and allocation, and the ledger’s replay; metering says it is archived', async () => {
    const admin = await platformAdmin();
    const seed = JSON.parse(readFileSync(path.join(workDir, 'seed.json'), 'utf8')) as SeedFile;
    const subscriber = (seed.subscribers[0] as { id: string }).id;
    const paid = await call<{ items: { payee: string }[] }>(
      'GET',
      `/api/payouts/v1/payouts?period=${period}&state=succeeded&limit=1`,
      { credential: admin.token },
    );
    const payee = (paid.body.items[0] as { payee: string }).payee;
    const payeeStatement = `/api/payouts/v1/payees/${payee}/statement?period=${period}`;
    const proof = (
      await call<{ credits: { allocationProof: string }[] }>('GET', payeeStatement, {
        credential: admin.token,
      })
    ).body.credits[0]?.allocationProof;
    const shown = async () => {
      const views: Record<string, unknown> = {};
      for (const resource of [
        `/api/ledger/v1/statements/subscribers/${subscriber}?period=${period}`,
        `/api/ledger/v1/periods/${period}/allocations`,
        `/api/ledger/v1/periods/${period}/input`,
        proof ?? 'no proof',
        payeeStatement,
      ]) {
        const answer = await call('GET', resource, { credential: admin.token });
        expect({ resource, status: answer.status }).toEqual({ resource, status: 200 });
        views[resource] = answer.body;
      }
      return views;
    };
    const before = await shown();

    const detached = (
      await database.query<{ name: string }>('SELECT metering.detach_usage_partitions($1) AS name', [
        shiftPeriod(period, 1),
      ])
    ).rows.map((row) => row.name);
    const partition = (table: string) => `${table}_p${period.replace('-', '_')}`;
    expect(detached).toEqual(
      expect.arrayContaining([partition('usage_events'), partition('usage_aggregates')]),
    );

    // Metering: the period's usage is archived, not "none", and its events can no longer be corrected.
    const usage = await call('GET', `/api/metering/v1/usage?subscriber=${subscriber}&period=${period}`, {
      credential: admin.token,
    });
    expect(usage).toMatchObject({
      status: 410,
      body: { error: { code: 'usage_archived', field: 'period' } },
    });
    const { apiKey, event } = usageEvent(seed, 0);
    const correction = await report(apiKey, {
      ...event,
      id: `correction-${runId}`,
      type: 'onecommons.usage.correction.v1',
      data: { ...event.data, quantity: -1, corrects: { source: event.source, id: event.id } },
    });
    expect(correction).toMatchObject({
      status: 400,
      body: { error: { code: 'correction_window_passed', field: 'data.corrects' } },
    });

    // The ledger and payouts: the same statements, proofs, allocation and input as before.
    expect(await shown()).toEqual(before);
    const envFile = path.join(stack.envDir, 'ledger.env');
    for (const command of [
      ['ledger', 'verify', '--env-file', envFile],
      ['replay', 'ledger', '--verify', '--env-file', envFile],
    ]) {
      const { code, stderr } = await runCommons(command);
      expect({ command, code, stderr: code === 0 ? '' : stderr }).toEqual({ command, code: 0, stderr: '' });
    }
  }, 300_000); // a replay of the whole ledger log, on a platform every other e2e file has loaded
});

// docs/trust-rules.md, issue #19: money that goes back to a subscriber after the close. The seeded payments of the closed
// period, through the whole platform: an admin's refund through Stripe, a dispute the bank opens and the platform
// wins; identity records Stripe's webhooks, the ledger books each movement once against the reserve (the period's
// tokens are allocated and paid out already), and ledger, payouts and Stripe still agree.

interface ReversalView {
  kind: string;
  paymentId: string;
  reference: string;
  reason: string | null;
  amountMinor: string;
  effect: string;
  postedIn: string;
}

/** The fake Stripe of the stack, as the platform reaches it (Stripe's API and the bank's test controls). */
async function stripe<Body>(method: string, pathname: string, body?: unknown): Promise<Body> {
  const response = await suiteFetch(`${serviceEnvironmentValue('identity', 'STRIPE_API_BASE')}${pathname}`, {
    method,
    headers: {
      authorization: `Bearer ${serviceEnvironmentValue('identity', 'STRIPE_SECRET_KEY')}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Body;
}

/** The charge that paid a payment's invoice. */
async function chargeOf(invoiceId: string): Promise<string> {
  const links = await stripe<{ data: { payment: { payment_intent: string } }[] }>(
    'GET',
    `/v1/invoice_payments?invoice=${invoiceId}`,
  );
  const intent = links.data[0]?.payment.payment_intent ?? '';
  return (await stripe<{ latest_charge: string }>('GET', `/v1/payment_intents/${intent}`)).latest_charge;
}

async function reversalsOf(subscriber: string, token: string): Promise<ReversalView[]> {
  const statement = await call<{ reversals: ReversalView[] }>(
    'GET',
    `/api/ledger/v1/statements/subscribers/${subscriber}?period=${period}`,
    { credential: token },
  );
  expect(statement.status).toBe(200);
  return statement.body.reversals;
}

async function ledgerAndPayoutsAgree(): Promise<void> {
  const verified = await runCommons([
    'ledger',
    'verify',
    '--env-file',
    path.join(stack.envDir, 'ledger.env'),
  ]);
  expect({ code: verified.code, stderr: verified.code === 0 ? '' : verified.stderr }).toEqual({
    code: 0,
    stderr: '',
  });
  const reconciled = await reconcilePayouts(period, stack.envDir);
  expect(reconciled.code).toBe(0);
  expect(JSON.parse(reconciled.stdout.trim().split('\n').at(-1) ?? '{}')).toMatchObject({
    consistent: true,
    duplicates: 0,
  });
}

describe('money back after the close', () => {
  let payments: { id: string; subscriber: string; invoice: string }[];

  it('finds the seeded payments of the closed period', async () => {
    payments = (
      await database.query<{ id: string; subscriber: string; invoice: string }>(
        `SELECT id, account_id AS subscriber, provider_payment_id AS invoice FROM identity.payments
          WHERE period = $1 ORDER BY captured_at, id LIMIT 2`,
        [period],
      )
    ).rows;
    expect(payments).toHaveLength(2);
  });

  it('an admin refund is booked once as a loss of the reserve and shown on the subscriber’s statement', async () => {
    const admin = await platformAdmin();
    const [payment] = payments as [(typeof payments)[number]];
    const requested = await call<{ providerRefundId: string }>(
      'POST',
      `/api/identity/v1/admin/payments/${payment.id}/refunds`,
      { credential: admin.token, body: { amountMinor: '100', reason: 'requested_by_customer' } },
    );
    expect(requested.status).toBe(202);
    // Anyone who signs up is not an admin: no refund of someone else's payment, and nothing booked.
    const outsider = await newAccount('refund-outsider');
    const refused = await call('POST', `/api/identity/v1/admin/payments/${payment.id}/refunds`, {
      credential: outsider.token,
      body: { amountMinor: '100000', reason: 'requested_by_customer' },
    });
    expect(refused.status).toBe(403);

    const [refund] = await eventually(
      'the ledger to book the refund',
      async () => {
        const reversals = await reversalsOf(payment.subscriber, admin.token);
        return reversals.length > 0 ? reversals : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(refund).toMatchObject({
      kind: 'refund',
      paymentId: payment.id,
      reference: requested.body.providerRefundId,
      reason: 'requested_by_customer',
      amountMinor: '100',
      effect: 'reserve_loss',
    });
    expect((refund?.postedIn ?? '') > period).toBe(true);
    expect(await reversalsOf(payment.subscriber, admin.token)).toHaveLength(1);
    await ledgerAndPayoutsAgree();
  });

  it('a dispute the bank opens and the platform wins is withdrawn, then reinstated, each once', async () => {
    const admin = await platformAdmin();
    const [, payment] = payments as [unknown, (typeof payments)[number]];
    const charge = await chargeOf(payment.invoice);
    const dispute = await stripe<{ id: string }>('POST', `/_fake/charges/${charge}/dispute`, {
      amount: 200,
      reason: 'fraudulent',
    });
    await eventually(
      'the ledger to book the withdrawal',
      async () => ((await reversalsOf(payment.subscriber, admin.token)).length === 1 ? true : undefined),
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    await ledgerAndPayoutsAgree();

    await stripe('POST', `/_fake/disputes/${dispute.id}/close`, { outcome: 'won' });
    const reversals = await eventually(
      'the ledger to book the reinstatement',
      async () => {
        const booked = await reversalsOf(payment.subscriber, admin.token);
        return booked.length === 2 ? booked : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(
      reversals.map(({ kind, reference, amountMinor, effect }) => ({ kind, reference, amountMinor, effect })),
    ).toEqual([
      { kind: 'dispute_withdrawal', reference: dispute.id, amountMinor: '200', effect: 'reserve_loss' },
      {
        kind: 'dispute_reinstatement',
        reference: dispute.id,
        amountMinor: '200',
        effect: expect.any(String),
      },
    ]);
    await ledgerAndPayoutsAgree();
  });
});
