import { createHash } from 'node:crypto';
import { type AccountAllocation } from './account-totals.js';
import { leafHash, merkleProof, merkleRoot, verifyMerkleProof } from './merkle.js';

const sha256 = (...parts: (string | Buffer)[]) => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

const rows = (count: number): AccountAllocation[] =>
  Array.from({ length: count }, (_, index) => ({
    account: `member:m${String(index).padStart(3, '0')}`,
    amount: BigInt(index + 1),
  }));

describe('merkleRoot', () => {
  it('is sha256 of the empty string for no rows', () => {
    expect(merkleRoot([])).toBe(sha256('').toString('hex'));
  });

  it('is the leaf of a single row, hashed as UTF-8 `key:amount`', () => {
    expect(merkleRoot([{ account: 'member:zoë', amount: 12n }])).toBe(
      sha256('member:zoë:12').toString('hex'),
    );
  });

  it('hashes pairs of raw digests and carries an odd node up unchanged', () => {
    const [a, b, c] = rows(3).map((row) => sha256(`${row.account}:${row.amount}`)) as [
      Buffer,
      Buffer,
      Buffer,
    ];
    expect(merkleRoot(rows(2))).toBe(sha256(a, b).toString('hex'));
    expect(merkleRoot(rows(3))).toBe(sha256(sha256(a, b), c).toString('hex'));
  });

  it('matches a five-leaf tree built by hand', () => {
    const leaves = rows(5).map(leafHash);
    const [l0, l1, l2, l3, l4] = leaves as [Buffer, Buffer, Buffer, Buffer, Buffer];
    expect(merkleRoot(rows(5))).toBe(sha256(sha256(sha256(l0, l1), sha256(l2, l3)), l4).toString('hex'));
  });
});

describe('merkle proofs', () => {
  it.each([1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 33])('prove every row of a %i-row allocation', (count) => {
    const allocations = rows(count);
    const root = merkleRoot(allocations);
    for (const row of allocations) {
      const proof = merkleProof(allocations, row.account);
      expect(proof).toBeDefined();
      expect(proof?.amount).toBe(row.amount);
      expect(verifyMerkleProof(proof!, root)).toBe(true);
    }
  });

  it('has no proof for an account without a row', () => {
    expect(merkleProof(rows(3), 'member:nobody')).toBeUndefined();
  });

  it('fails when the amount, the account, a sibling, a side or the root is tampered with', () => {
    const allocations = rows(6);
    const root = merkleRoot(allocations);
    const proof = merkleProof(allocations, 'member:m004')!;
    const [first, ...rest] = proof.steps;
    expect(first).toBeDefined();
    const flipped = first!.sibling.replace(/^./, (digit) => (digit === '0' ? '1' : '0'));
    expect(verifyMerkleProof({ ...proof, amount: proof.amount + 1n }, root)).toBe(false);
    expect(verifyMerkleProof({ ...proof, account: 'member:m005' }, root)).toBe(false);
    expect(verifyMerkleProof({ ...proof, steps: [{ ...first!, sibling: flipped }, ...rest] }, root)).toBe(
      false,
    );
    const otherSide = first!.side === 'left' ? 'right' : 'left';
    expect(verifyMerkleProof({ ...proof, steps: [{ ...first!, side: otherSide }, ...rest] }, root)).toBe(
      false,
    );
    expect(verifyMerkleProof({ ...proof, steps: rest }, root)).toBe(false);
    expect(verifyMerkleProof({ ...proof, steps: [{ ...first!, sibling: 'not hex' }, ...rest] }, root)).toBe(
      false,
    );
    expect(verifyMerkleProof(proof, merkleRoot(allocations.slice(1)))).toBe(false);
  });
});
