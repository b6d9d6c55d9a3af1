import { type DemoSeedFile } from './demo-seed.js';
import { type StoryResult } from './demo-story.js';

const UCC_PER_CC = 1_000_000n;

/** uCC as CommonCents with two decimals (truncated). */
function cc(ucc: bigint): string {
  const cents = ucc / (UCC_PER_CC / 100n);
  return `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`;
}

/** Minor units of a two-decimal currency. */
function money(minor: bigint): string {
  return `${minor / 100n}.${String(minor % 100n).padStart(2, '0')}`;
}

function share(part: bigint, whole: bigint): string {
  if (whole === 0n) return '–';
  const tenths = (part * 1000n) / whole;
  return `${tenths / 10n}.${tenths % 10n}%`;
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join('   '),
  );
}

/** The demo's closing summary: where the month's money went, what was paid out, and where to look next. */
export function demoSummary(seed: DemoSeedFile, story: StoryResult, seedFile: string): string {
  const rows = story.allocations.allocations;
  const sum = (prefix: string) =>
    rows
      .filter((row) => row.account.startsWith(prefix))
      .reduce((total, row) => total + BigInt(row.amount), 0n);
  const count = (prefix: string) => rows.filter((row) => row.account.startsWith(prefix)).length;
  const total = BigInt(story.allocations.total);
  const roles: [string, string, bigint][] = [
    ['General fund', '', sum('fund:')],
    ['Cloud providers', String(count('provider:')), sum('provider:')],
    ['Site operators', String(count('operator:')), sum('operator:')],
    ['Developer projects (members)', String(count('member:')), sum('member:')],
    ['Project escrow (no members yet)', String(count('escrow:')), sum('escrow:')],
  ];
  const money1 = table([
    ['Where the fees went', 'accounts', 'CommonCents', 'share'],
    [`Revenue (${seed.subscribers.length} subscribers' fees)`, '', cc(total), share(total, total)],
    ...roles.map(([label, accounts, amount]) => [`  ${label}`, accounts, cc(amount), share(amount, total)]),
  ]);
  const line = (outcome: string) => story.batch.lines.filter((row) => row.outcome === outcome);
  const state = (name: string) => story.batch.payouts.filter((row) => row.state === name);
  const payees = (entries: readonly { payees?: number; payouts?: number }[]) =>
    String(entries.reduce((total, row) => total + (row.payees ?? row.payouts ?? 0), 0));
  const amount = (entries: readonly { amountMinor: string }[]) =>
    money(entries.reduce((total, row) => total + BigInt(row.amountMinor), 0n));
  const currency = story.batch.lines[0]?.currency ?? story.batch.payouts[0]?.currency ?? 'EUR';
  const payouts = table([
    [`Payouts of ${story.period}`, 'payees', currency],
    ['  paid (Stripe Connect transfers)', payees(state('succeeded')), amount(state('succeeded'))],
    ['  awaiting the bank (pain.001 file)', payees(state('submitted')), amount(state('submitted'))],
    ['  failed (payable again)', payees(state('failed')), amount(state('failed'))],
    ['  carried forward (below threshold)', payees(line('carried')), amount(line('carried'))],
    ['  held (hold or no payout account)', payees(line('held')), amount(line('held'))],
  ]);
  const subscriber = seed.subscribers[0];
  const paidPayee = seed.payees.find((payee) => payee.payoutAccount !== null);
  const gateway = seed.gateway;
  return [
    '',
    `OneCommons demo: ${story.period} closed and paid out (Merkle root ${story.allocations.merkleRoot.slice(0, 16)}…)`,
    `${story.eventsSent} usage events sent (${story.accepted} new, ${story.duplicates} already counted)`,
    '',
    ...money1,
    '',
    ...payouts,
    '',
    'Where to look',
    `  seed file (tokens, API keys, ids):  ${seedFile}`,
    ...(story.bankFile ? [`  the batch's bank file (ISO 20022):  ${story.bankFile}`] : []),
    `  API docs:                           ${gateway}/api/docs`,
    ...(subscriber
      ? [
          `  a subscriber's statement:           curl -H "authorization: Bearer $(jq -r '.subscribers[0].accessToken' ${seedFile})" \\`,
          `                                        ${gateway}/api/ledger/v1/statements/subscribers/${subscriber.id}?period=${story.period}`,
        ]
      : []),
    ...(paidPayee
      ? [
          `  a payee's statement (admin token):  curl -H "authorization: Bearer $(jq -r '.admin.token' ${seedFile})" \\`,
          `                                        ${gateway}/api/payouts/v1/payees/${paidPayee.payee}/statement?period=${story.period}`,
        ]
      : []),
    `  checks:                             commons ledger verify; commons payouts reconcile --period ${story.period}`,
    `  metrics: each service's /metrics (./dev status); Grafana dashboards in deploy/grafana/dashboards`,
    `           (docker-compose up -d prometheus grafana, then http://localhost:3000)`,
    '',
  ].join('\n');
}
