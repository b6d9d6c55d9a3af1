import fc from 'fast-check';
import { type AccountAllocation } from './account-totals.js';
import { merkleProof, merkleRoot } from './merkle.js';
import { parsePastedProof, type PublishedRoot, rootOfProof, verifyPastedProof } from './merkle-webcrypto.js';

// The browser's check (WebCrypto, as the transparency page runs it) against the engine's own tree (node:crypto).

const allocationArbitrary = fc
  .uniqueArray(
    fc.record({
      account: fc.oneof(
        fc.constant('fund:general'),
        fc.uuid().map((id) => `member:${id}`),
        fc.uuid().map((id) => `operator:${id}`),
        fc.stringMatching(/^[a-zé0-9-]{1,12}$/).map((id) => `escrow:${id}`),
      ),
      amount: fc.bigInt({ min: 0n, max: 10n ** 24n }),
    }),
    { minLength: 1, maxLength: 70, selector: (row) => row.account },
  )
  .map((rows) => [...rows].sort((a, b) => (a.account < b.account ? -1 : 1)));

/** The JSON `GET …/proofs/{account}` answers for the row at `index`. */
function statementOf(rows: readonly AccountAllocation[], index: number) {
  const row = rows[index] as AccountAllocation;
  const proof = merkleProof(rows, row.account);
  if (!proof) throw new Error('no proof');
  return {
    account: row.account,
    period: '2031-05',
    amount: row.amount.toString(),
    sources: [],
    proof: { steps: proof.steps },
    merkleRoot: merkleRoot(rows),
    adjustments: [],
  };
}

const published = (root: string): PublishedRoot[] => [
  { root: '0'.repeat(64), label: 'another root' },
  { root, label: 'the close of 2031-05' },
];

describe('rootOfProof', () => {
  it('leads every row of random allocations to merkle.ts’s root', async () => {
    await fc.assert(
      fc.asyncProperty(allocationArbitrary, fc.nat(), async (rows, pick) => {
        const statement = statementOf(rows, pick % rows.length);
        const root = await rootOfProof({ ...statement, steps: statement.proof.steps });
        expect(root).toBe(merkleRoot(rows));
      }),
      { numRuns: 150 },
    );
  });

  it('leads a tampered amount, account or sibling elsewhere', async () => {
    await fc.assert(
      fc.asyncProperty(allocationArbitrary, fc.nat(), async (rows, pick) => {
        const statement = statementOf(rows, pick % rows.length);
        const root = merkleRoot(rows);
        const steps = statement.proof.steps;
        const plusOne = (BigInt(statement.amount) + 1n).toString();
        expect(await rootOfProof({ ...statement, amount: plusOne, steps })).not.toBe(root);
        expect(await rootOfProof({ ...statement, account: `${statement.account}x`, steps })).not.toBe(root);
        const [first, ...rest] = steps;
        if (first) {
          const flipped = (first.sibling[0] === 'a' ? 'b' : 'a') + first.sibling.slice(1);
          expect(
            await rootOfProof({ ...statement, steps: [{ ...first, sibling: flipped }, ...rest] }),
          ).not.toBe(root);
          const otherSide = first.side === 'left' ? 'right' : 'left';
          expect(
            await rootOfProof({ ...statement, steps: [{ ...first, side: otherSide }, ...rest] }),
          ).not.toBe(root);
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe('verifyPastedProof', () => {
  const rows: AccountAllocation[] = [
    { account: 'fund:general', amount: 75_000_000n },
    { account: 'member:0197d1a4-0000-7000-8000-000000000001', amount: 1_250_000n },
    { account: 'member:0197d1a4-0000-7000-8000-000000000002', amount: 2n },
    { account: 'operator:0197d1a4-0000-7000-8000-000000000003', amount: 900_000_000n },
    { account: 'provider:0197d1a4-0000-7000-8000-000000000004', amount: 33n },
  ];
  const root = merkleRoot(rows);

  it('names the published root a statement’s proof leads to', async () => {
    const verdict = await verifyPastedProof(JSON.stringify(statementOf(rows, 1)), published(root));
    expect(verdict).toMatchObject({
      ok: true,
      rows: [{ row: { label: 'the row', amount: '1250000' }, matched: { label: 'the close of 2031-05' } }],
    });
  });

  it('takes a bare {account, amount, steps}, with a number amount', async () => {
    const { account, proof } = statementOf(rows, 2);
    const verdict = await verifyPastedProof(JSON.stringify({ account, amount: 2, steps: proof.steps }), [
      { root, label: 'the close' },
    ]);
    expect(verdict).toMatchObject({ ok: true, rows: [{ matched: { label: 'the close' } }] });
  });

  it('never trusts the root the paste names: a changed amount with its own root does not verify', async () => {
    const forged = { ...statementOf(rows, 1), amount: '1250001' };
    const forgedRoot = await rootOfProof({ ...forged, steps: forged.proof.steps });
    const verdict = await verifyPastedProof(
      JSON.stringify({ ...forged, merkleRoot: forgedRoot }),
      published(root),
    );
    expect(verdict).toMatchObject({ ok: true, rows: [{ matched: null, row: { claimedRoot: forgedRoot } }] });
  });

  it('checks each adjustment’s row against the adjustments’ roots', async () => {
    const adjusted = rows.map((row) => (row.account.endsWith('1') ? { ...row, amount: 1_300_000n } : row));
    const adjustedRoot = merkleRoot(adjusted);
    const account = 'member:0197d1a4-0000-7000-8000-000000000001';
    const statement = {
      ...statementOf(rows, 1),
      adjustments: [
        {
          sequence: 1,
          postedIn: '2031-07',
          amount: '1300000',
          difference: '50000',
          proof: { steps: merkleProof(adjusted, account)?.steps },
          merkleRoot: adjustedRoot,
        },
      ],
    };
    const verdict = await verifyPastedProof(JSON.stringify(statement), [
      { root, label: 'the close' },
      { root: adjustedRoot, label: 'adjustment 1' },
    ]);
    expect(verdict).toMatchObject({
      ok: true,
      rows: [
        { row: { label: 'the row' }, matched: { label: 'the close' } },
        { row: { label: 'adjustment 1', amount: '1300000' }, matched: { label: 'adjustment 1' } },
      ],
    });
  });

  it.each([
    ['', 'Paste the JSON'],
    ['{"account": "member:x", ', 'not JSON'],
    ['[1, 2]', 'must be an object'],
    ['{"amount": "1", "steps": []}', '`account` must be an allocation key'],
    ['{"account": "member x", "amount": "1", "steps": []}', '`account` must be an allocation key'],
    ['{"account": "member:x", "amount": "01", "steps": []}', '`amount` must be a whole number'],
    ['{"account": "member:x", "amount": "-1", "steps": []}', '`amount` must be a whole number'],
    ['{"account": "member:x", "amount": 1.5, "steps": []}', '`amount` must be a whole number'],
    ['{"account": "member:x", "amount": "1"}', '`steps` is missing'],
    ['{"account": "member:x", "amount": "1", "proof": []}', '`proof` must be an object'],
    ['{"account": "member:x", "amount": "1", "proof": {"steps": "none"}}', '`proof.steps` must be a list'],
    [
      '{"account": "member:x", "amount": "1", "proof": {"steps": [{"side": "left"}]}}',
      '`proof.steps[0].sibling`',
    ],
    [
      `{"account": "member:x", "amount": "1", "steps": [{"sibling": "${'A'.repeat(64)}", "side": "left"}]}`,
      'lowercase',
    ],
    [
      `{"account": "member:x", "amount": "1", "steps": [{"sibling": "${'a'.repeat(64)}", "side": "up"}]}`,
      '`steps[0].side`',
    ],
    [
      '{"account": "member:x", "amount": "1", "steps": [], "adjustments": {}}',
      '`adjustments` must be a list',
    ],
    [
      '{"account": "member:x", "amount": "1", "steps": [], "adjustments": [{"amount": "x"}]}',
      '`adjustments[0].amount`',
    ],
  ])('refuses %j naming what is wrong', async (text, message) => {
    const verdict = await verifyPastedProof(text, published(root));
    expect(verdict.ok).toBe(false);
    expect(verdict.ok ? '' : verdict.problem).toContain(message);
  });

  it('refuses a paste too long to be a proof before parsing it', () => {
    expect(parsePastedProof(' '.repeat(10) + 'x'.repeat(300_000))).toMatchObject({
      ok: false,
      problem: expect.stringContaining('longer than'),
    });
  });
});
