import {
  type AllocationInput,
  allocatePeriod,
  bpsShare,
  escrowAccount,
  GENERAL_FUND,
  memberAccount,
  parseAllocationInput,
  type Project,
  serviceStatements,
  subscriberSplit,
  toAllocationJson,
  weightedSplit,
} from '@onecommons/allocation';
import { z } from 'zod';

/** The worked example of `docs/money-rules.md`: its files, and the command that rewrites its tables. */
export const MONEY_RULES_PAGE_PATH = 'docs/money-rules.md';
export const MONEY_RULES_COMMAND = 'node_modules/.bin/commons docs money-rules';
export const EXAMPLE_INPUT_PATH = 'docs/money-rules/worked-example.input.json';
export const EXAMPLE_TREASURY_PATH = 'docs/money-rules/worked-example.treasury.json';
/** Marker prefix of the generated sections: `<!-- worked-example:<name> -->`. */
export const EXAMPLE_MARKER = 'worked-example';

const UCC_PER_CC = 1_000_000n;
const BPS_SCALE = 10_000n;

const integer = z.string().regex(/^(0|[1-9]\d*)$/, { error: 'must be a non-negative integer string' });

/** The treasury side of the example: the reserve before the period, its reserveBps and the fees paid. */
const treasuryExampleSchema = z.object({
  currency: z.string().regex(/^[A-Z]{3}$/),
  reserveBps: z.number().int().min(0).max(10_000),
  before: z.object({ reserveMinor: integer, outstandingUcc: integer }),
  payments: z.array(z.object({ subscriber: z.string().min(1), amountMinor: integer })).min(1),
});

interface Price {
  readonly num: bigint;
  readonly den: bigint;
}

interface Mint {
  readonly subscriber: string;
  readonly fee: bigint;
  readonly retained: bigint;
  readonly minting: bigint;
  readonly tokens: bigint;
}

/**
 * Renders every generated section of the worked example (section name → markdown) from the example's files:
 * the mint with docs/money-rules.md's treasury formulas, and steps 1–5 with `@onecommons/allocation` itself. Each step's
 * explanatory columns are derived here; the amounts they explain are the engine's, and a derivation that
 * disagrees with the engine throws instead of rendering.
 */
export function renderWorkedExample(allocationJson: unknown, treasuryJson: unknown): Map<string, string> {
  const parsed = parseAllocationInput(allocationJson);
  if (!parsed.ok) throw new Error(`${EXAMPLE_INPUT_PATH}: ${parsed.error.path}: ${parsed.error.reason}`);
  const treasury = treasuryExampleSchema.parse(treasuryJson);
  const input = parsed.input;
  return new Map([
    ['treasury', treasurySection(input, treasury)],
    ['step-1', subscriberSection(input)],
    ['steps-2-3', serviceSection(input)],
    ['step-4', projectSection(input)],
    ['step-5', allocationSection(input)],
    ['redemption', redemptionSection(input, treasury)],
  ]);
}

function treasurySection(input: AllocationInput, treasury: z.output<typeof treasuryExampleSchema>): string {
  const reserveBefore = BigInt(treasury.before.reserveMinor);
  const outstandingBefore = BigInt(treasury.before.outstandingUcc);
  const price = priceOf(reserveBefore, outstandingBefore);
  const reserveBps = BigInt(treasury.reserveBps);
  const mints = treasury.payments.map((payment) =>
    mint(payment.subscriber, BigInt(payment.amountMinor), price, reserveBps),
  );
  for (const { subscriber, tokens } of mints) {
    const listed = input.subscribers.find((candidate) => candidate.id === subscriber)?.tokens;
    if (listed !== tokens)
      throw new Error(`${EXAMPLE_INPUT_PATH}: ${subscriber} has ${listed} tokens, the mint gives ${tokens}`);
  }
  const fees = sum(mints.map((row) => row.fee));
  const minted = sum(mints.map((row) => row.tokens));
  const reserveAfter = reserveBefore + fees;
  const outstandingAfter = outstandingBefore + minted;
  const next = priceOf(reserveAfter, outstandingAfter);
  return [
    `Before the period's first payment the reserve holds ${reserveBefore} minor units (${treasury.currency} cents)`,
    `and ${outstandingBefore} uCC are outstanding, so that payment fixes the period's price at`,
    `reserve × 10^6 / outstanding = ${reserveBefore * UCC_PER_CC}/${outstandingBefore} = **${price.num}/${price.den}**`,
    `(1 CC = ${decimal(price, 5)} cents). \`reserveBps\` is ${reserveBps}.`,
    '',
    `| subscriber | fee F | retained floor(F × ${reserveBps} / 10000) | minting F − retained | tokens floor(minting × 10^6 × ${price.den} / ${price.num}), uCC |`,
    '|---|---:|---:|---:|---:|',
    ...mints.map(
      (row) => `| ${row.subscriber} | ${row.fee} | ${row.retained} | ${row.minting} | ${row.tokens} |`,
    ),
    '',
    `After these payments the reserve holds ${reserveBefore} + ${fees} = ${reserveAfter} and ${outstandingBefore} + ${minted} =`,
    `${outstandingAfter} uCC are outstanding, so the next period's first payment will fix its price at`,
    `${reserveAfter * UCC_PER_CC}/${outstandingAfter}${reduced(reserveAfter * UCC_PER_CC, outstandingAfter, next)} ≈ ${decimal(next, 5)} cents per CC, above ${price.num}/${price.den}: the`,
    `retained ${reserveBps} bps raised the value of every token held, as the treasury rule intends.`,
  ].join('\n');
}

function subscriberSection(input: AllocationInput): string {
  const fundBps = input.policy.generalFundBps;
  const rows: string[] = [];
  const serviceTotals = new Map<string, bigint>();
  let fundTotal = 0n;
  for (const subscriber of input.subscribers) {
    const split = subscriberSplit(input, subscriber.id);
    if (split === null) {
      rows.push(
        `| ${subscriber.id} | ${subscriber.tokens} | – | – | (free tier: its usage moves no money) | | | | | |`,
      );
      continue;
    }
    fundTotal += split.fund;
    const fundCut = bpsShare(split.tokens, fundBps);
    const rest = split.tokens - fundCut;
    if (split.services.length === 0) {
      rows.push(
        `| ${subscriber.id} | ${split.tokens} | ${fundCut} | ${rest} | (no usage with weight: R goes to \`${GENERAL_FUND}\`) | | | | | |`,
      );
      continue;
    }
    const weights = usageWeights(input, subscriber.id);
    const totalWeight = sum([...weights.values()]);
    for (const [index, { service, amount }] of split.services.entries()) {
      const weight = weights.get(service) ?? 0n;
      const floor = (rest * weight) / totalWeight;
      const remainder = (rest * weight) % totalWeight;
      serviceTotals.set(service, (serviceTotals.get(service) ?? 0n) + amount);
      const first = index === 0;
      rows.push(
        `| ${first ? subscriber.id : ''} | ${first ? split.tokens : ''} | ${first ? fundCut : ''} | ${first ? rest : ''} | ${service} | ${weight} | ${floor} | ${remainder} | ${amount - floor} | **${amount}** |`,
      );
    }
  }
  return [
    `| subscriber | tokens T | fund floor(T × ${fundBps} / 10000) | rest R | service | weight w | floor(R × w / W) | remainder (R × w) mod W | leftover | share |`,
    '|---|---:|---:|---:|---|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    `Summed per service: ${[...serviceTotals]
      .sort(byKey)
      .map(([service, amount]) => `A(${service}) = ${amount}`)
      .join(', ')};`,
    `\`${GENERAL_FUND}\` gets ${fundTotal} in this step.`,
  ].join('\n');
}

function serviceSection(input: AllocationInput): string {
  const rows = serviceStatements(input).map((statement) => {
    const service = input.services.find((candidate) => candidate.id === statement.service);
    const type = service && input.serviceTypes.get(service.type);
    if (!service || !type) throw new Error(`unknown service ${statement.service}`);
    const providerBps = service.providerBps ?? type.providerBps;
    const providerCredits = statement.credits.filter((credit) => credit.account.startsWith('provider:'));
    const operatorCredit = statement.credits.find(
      (credit) => credit.account === `operator:${service.operator}`,
    );
    const providerPart = sum(providerCredits.map((credit) => credit.amount));
    if (providerCredits.length > 0 && providerPart !== bpsShare(statement.amount, providerBps))
      throw new Error(
        `${service.id}: provider part ${providerPart} is not floor(A × ${providerBps} / 10000)`,
      );
    const gross = statement.amount - providerPart;
    const developer = statement.developer?.amount ?? 0n;
    const { bps, reason } = developerShare(input, service.id);
    if (service.project !== null && developer !== bpsShare(gross, bps))
      throw new Error(`${service.id}: developer part ${developer} is not floor(O × ${bps} / 10000)`);
    const providers = providerCredits
      .map((credit) => {
        const id = credit.account.slice('provider:'.length);
        const points = service.providers.find((provider) => provider.id === id)?.weight;
        return `${id} (${points} ${points === 1n ? 'point' : 'points'}): ${credit.amount}`;
      })
      .join(', ');
    return `| ${service.id} | ${statement.amount} | ${providerBps} | ${providerPart} | ${providers || '–'} | ${gross} | ${bps} (${reason}) | ${developer} → ${service.project ?? '–'} | ${operatorCredit?.amount ?? 0n} → ${service.operator} |`;
  });
  return [
    '| service | A | providerBps | P = floor(A × providerBps / 10000) | P by resource points | O = A − P | devBps | D = floor(O × devBps / 10000) | operator keeps O − D |',
    '|---|---:|---:|---:|---|---:|---|---:|---:|',
    ...rows,
  ].join('\n');
}

/** The developer share of a service and why (docs/money-rules.md step 3), for the example's table. */
function developerShare(input: AllocationInput, serviceId: string): { bps: bigint; reason: string } {
  const service = input.services.find((candidate) => candidate.id === serviceId);
  const type = service && input.serviceTypes.get(service.type);
  if (!service || !type) throw new Error(`unknown service ${serviceId}`);
  let bps = type.developerBps;
  let reason = `the ${service.type} type's default`;
  if (service.developerBps !== null && service.developerBps > bps) {
    bps = service.developerBps;
    reason = 'the service’s own override';
  }
  for (const agreement of input.agreements) {
    if (agreement.project !== service.project) continue;
    if (!(agreement.binding || agreement.operator === service.operator) || agreement.developerBps <= bps)
      continue;
    bps = agreement.developerBps;
    reason = agreement.binding
      ? `a binding agreement of ${agreement.project}, above the type's ${type.developerBps}`
      : `${agreement.project}'s agreement with ${agreement.operator}, above the type's ${type.developerBps}`;
  }
  return { bps, reason };
}

function projectSection(input: AllocationInput): string {
  const projects = new Map(input.projects.map((project) => [project.id, project]));
  let level = new Map<string, bigint>();
  for (const statement of serviceStatements(input))
    if (statement.developer && statement.developer.amount > 0n)
      level.set(
        statement.developer.project,
        (level.get(statement.developer.project) ?? 0n) + statement.developer.amount,
      );
  const flowRows: string[] = [];
  const kept = new Map<string, bigint>();
  for (let depth = 0; level.size > 0; depth++) {
    const next = new Map<string, bigint>();
    for (const [projectId, inflow] of [...level].sort(byKey)) {
      const project = projects.get(projectId);
      const passed = project && depth < input.policy.maxDependencyDepth ? passOn(project, inflow, next) : [];
      const passedTotal = sum(passed.map(([, amount]) => amount));
      kept.set(projectId, (kept.get(projectId) ?? 0n) + inflow - passedTotal);
      const passedText =
        passedTotal === 0n
          ? '–'
          : `floor(${inflow} × ${project?.dependenciesBps} / 10000) = ${passedTotal}: ${passed.map(([id, amount]) => `${id} ${amount}`).join(', ')}`;
      flowRows.push(`| ${depth} | ${projectId} | ${inflow} | ${passedText} | ${inflow - passedTotal} |`);
    }
    level = next;
  }
  const allocation = new Map(allocatePeriod(input).allocations.map((row) => [row.account, row.amount]));
  const memberRows = [...kept].sort(byKey).map(([projectId, amount]) => {
    const members = (projects.get(projectId)?.members ?? []).filter((member) => member.weight > 0n);
    if (members.length === 0) {
      if (allocation.get(escrowAccount(projectId)) !== amount)
        throw new Error(`${escrowAccount(projectId)} is not ${amount} in the engine's allocation`);
      return `| ${projectId} | ${amount} | no members: all to \`${escrowAccount(projectId)}\` |`;
    }
    const shares = weightedSplit(
      amount,
      members.map((member) => ({ key: member.id, weight: member.weight })),
    );
    return `| ${projectId} | ${amount} | ${members.map((member, index) => `\`${memberAccount(member.id)}\` (weight ${member.weight}): ${shares[index]}`).join(', ')} |`;
  });
  return [
    '| level | project | inflow | passed to dependencies (weighted split) | kept |',
    '|---:|---|---:|---|---:|',
    ...flowRows,
    '',
    '| project | kept in total | to its members (weighted split) or its escrow |',
    '|---|---:|---|',
    ...memberRows,
  ].join('\n');
}

/** A project's pass-on to its dependencies at one level: [dependency, amount] pairs, added into `next`. */
function passOn(project: Project, inflow: bigint, next: Map<string, bigint>): [string, bigint][] {
  const dependencies = project.dependencies.filter((dependency) => dependency.weight > 0n);
  const passed = dependencies.length === 0 ? 0n : bpsShare(inflow, project.dependenciesBps);
  if (passed === 0n) return [];
  const shares = weightedSplit(
    passed,
    dependencies.map((dependency) => ({ key: dependency.id, weight: dependency.weight })),
  );
  return dependencies.map((dependency, index) => {
    const share = shares[index] as bigint;
    next.set(dependency.id, (next.get(dependency.id) ?? 0n) + share);
    return [dependency.id, share];
  });
}

function allocationSection(input: AllocationInput): string {
  const allocation = toAllocationJson(allocatePeriod(input));
  return [
    '| account | uCC |',
    '|---|---:|',
    ...allocation.allocations.map((row) => `| \`${row.account}\` | ${row.amount} |`),
    `| **total** | **${allocation.total}** |`,
    '',
    `Merkle root: \`${allocation.merkleRoot}\``,
  ].join('\n');
}

function redemptionSection(input: AllocationInput, treasury: z.output<typeof treasuryExampleSchema>): string {
  const price = priceOf(BigInt(treasury.before.reserveMinor), BigInt(treasury.before.outstandingUcc));
  const rows = allocatePeriod(input)
    .allocations.filter((row) => /^(provider|operator|member):/.test(row.account))
    .map((row) => ({ ...row, paid: (row.amount * price.num) / (price.den * UCC_PER_CC) }));
  const first = rows[0];
  const worth = first ? decimal({ num: first.amount * price.num, den: price.den * UCC_PER_CC }, 4) : '0';
  return [
    `| account | uCC t | floor(t × ${price.num} / (${price.den} × 10^6)), cents |`,
    '|---|---:|---:|',
    ...rows.map((row) => `| \`${row.account}\` | ${row.amount} | ${row.paid} |`),
    '',
    `Together they redeem for ${sum(rows.map((row) => row.paid))} cents. Each floor leaves a fraction of a cent in the`,
    `reserve (\`${first?.account}\` is worth ${worth} cents and is paid ${first?.paid}), where it counts as rounding residue.`,
  ].join('\n');
}

/** The default price policy: reserve × 10^6 / outstanding, 1/1 while nothing is outstanding. */
function priceOf(reserve: bigint, outstanding: bigint): Price {
  if (reserve <= 0n || outstanding <= 0n) return { num: 1n, den: 1n };
  const divisor = gcd(reserve * UCC_PER_CC, outstanding);
  return { num: (reserve * UCC_PER_CC) / divisor, den: outstanding / divisor };
}

function mint(subscriber: string, fee: bigint, price: Price, reserveBps: bigint): Mint {
  const retained = (fee * reserveBps) / BPS_SCALE;
  const minting = fee - retained;
  return { subscriber, fee, retained, minting, tokens: (minting * UCC_PER_CC * price.den) / price.num };
}

/** `w(u,s)`: one subscriber's usage weight per service, Σ quantity × meter weight. */
function usageWeights(input: AllocationInput, subscriber: string): Map<string, bigint> {
  const weights = new Map<string, bigint>();
  for (const row of input.usage) {
    if (row.subscriber !== subscriber) continue;
    const weight = row.quantity * (input.meters.get(row.meter) ?? 0n);
    if (weight > 0n) weights.set(row.service, (weights.get(row.service) ?? 0n) + weight);
  }
  return weights;
}

/** A price in minor units per CC as a decimal, truncated to `places`. */
function decimal(price: Price, places: number): string {
  const scale = 10n ** BigInt(places);
  const scaled = (price.num * scale) / price.den;
  const whole = scaled / scale;
  const fraction = (scaled % scale).toString().padStart(places, '0').replace(/0+$/, '');
  return fraction === '' ? whole.toString() : `${whole}.${fraction}`;
}

/** ` = num/den` when the fraction reduces, else nothing. */
function reduced(num: bigint, den: bigint, price: Price): string {
  return price.num === num && price.den === den ? '' : ` = ${price.num}/${price.den}`;
}

const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b));
const sum = (values: readonly bigint[]): bigint => values.reduce((total, value) => total + value, 0n);
const byKey = ([a]: [string, unknown], [b]: [string, unknown]): number => (a < b ? -1 : a > b ? 1 : 0);
