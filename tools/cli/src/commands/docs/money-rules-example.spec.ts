import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  allocatePeriod,
  parseAllocationInput,
  serializeAllocation,
  subscriberSplit,
} from '@onecommons/allocation';
import { currentText, MONEY_RULES_PAGE, repositoryRoot } from './docs-pages.js';
import { MarkedSections } from './marked-sections.js';
import {
  EXAMPLE_INPUT_PATH,
  EXAMPLE_MARKER,
  EXAMPLE_TREASURY_PATH,
  MONEY_RULES_COMMAND,
  MONEY_RULES_PAGE_PATH,
  renderWorkedExample,
} from './money-rules-example.js';

const root = repositoryRoot(import.meta.dirname);
const readJson = (file: string): unknown =>
  JSON.parse(readFileSync(path.join(root, file), 'utf8')) as unknown;
const inputJson = readJson(EXAMPLE_INPUT_PATH);
const treasuryJson = readJson(EXAMPLE_TREASURY_PATH);

function exampleInput() {
  const parsed = parseAllocationInput(inputJson);
  if (!parsed.ok) throw new Error(`${parsed.error.path}: ${parsed.error.reason}`);
  return parsed.input;
}

describe(`the worked example of ${MONEY_RULES_PAGE_PATH}`, () => {
  const page = currentText(root, MONEY_RULES_PAGE);
  const onPage = new MarkedSections(EXAMPLE_MARKER).read(page);
  const rendered = renderWorkedExample(inputJson, treasuryJson);

  it.each([...rendered.keys()])('shows what the engine computes in its %s section', (name) => {
    if (!onPage.has(name))
      throw new Error(`${MONEY_RULES_PAGE_PATH} has no <!-- ${EXAMPLE_MARKER}:${name} --> section`);
    if (onPage.get(name) !== rendered.get(name)) {
      throw new Error(
        `${MONEY_RULES_PAGE_PATH}: the ${name} section is not what the code gives now. Regenerate it from the ` +
          `repository root:\n\n  node_modules/.bin/tsc -b tools/cli/tsconfig.json && ${MONEY_RULES_COMMAND}\n\n` +
          `Generated:\n${rendered.get(name)}\n\nOn the page:\n${onPage.get(name)}`,
      );
    }
  });

  it('has no generated section the renderer does not know', () => {
    expect([...onPage.keys()].sort()).toEqual([...rendered.keys()].sort());
  });

  it('is the page the command writes', () => {
    expect(MONEY_RULES_PAGE.render(root, page)).toBe(page);
  });

  it('prints, through commons allocate, the allocation of step 5', () => {
    const step5 = rendered.get('step-5') ?? '';
    const allocation = JSON.parse(serializeAllocation(allocatePeriod(exampleInput()))) as {
      allocations: { account: string; amount: string }[];
      merkleRoot: string;
    };
    for (const row of allocation.allocations)
      expect(step5).toContain(`| \`${row.account}\` | ${row.amount} |`);
    expect(step5).toContain(allocation.merkleRoot);
  });

  // The example is there to show every rule at work: these keep it from losing one when it is edited.
  it('shows every rule at work', () => {
    const input = exampleInput();
    const allocation = allocatePeriod(input);
    const accounts = allocation.allocations.map((row) => row.account);
    expect(accounts).toEqual(expect.arrayContaining(['fund:general']));
    expect(accounts.some((account) => account.startsWith('escrow:'))).toBe(true);
    expect(accounts.filter((account) => account.startsWith('provider:')).length).toBeGreaterThan(1);
    expect(input.agreements.length).toBeGreaterThan(0);
    expect(
      input.projects.some((project) => project.dependencies.length > 0 && project.members.length > 0),
    ).toBe(true);
    // A leftover unit goes by largest remainder somewhere in step 1.
    expect(rendered.get('step-1')).toMatch(/\| 1 \| \*\*\d+\*\* \|/);
    // A subscriber with tokens and no weighted usage, and one without tokens.
    expect(input.subscribers.some((subscriber) => subscriber.tokens === 0n)).toBe(true);
    expect(
      input.subscribers.some(
        (subscriber) =>
          subscriber.tokens > 0n && subscriberSplit(input, subscriber.id)?.services.length === 0,
      ),
    ).toBe(true);
    // The mint retains reserveBps and floors the tokens.
    expect((treasuryJson as { reserveBps: number }).reserveBps).toBeGreaterThan(0);
  });
});
