import { createHash } from 'node:crypto';
import { type AccountAllocation } from './account-totals.js';

/**
 * The Merkle tree over allocation rows (docs/money-rules.md): leaf = sha256(UTF-8 `key:amount`), parent = sha256(left || right)
 * over the raw digests, an odd node is carried up unchanged, and the root of no rows is sha256 of the empty string.
 */

export interface MerkleProofStep {
  /** Lowercase hex digest of the sibling node. */
  readonly sibling: string;
  /** Which side of the path node the sibling sits on. */
  readonly side: 'left' | 'right';
}

/** What an account needs to show that its row is in a period's allocation. */
export interface MerkleProof {
  readonly account: string;
  readonly amount: bigint;
  /** From the leaf up; a level where the path node is carried up unchanged has no step. */
  readonly steps: readonly MerkleProofStep[];
}

export function merkleRoot(allocations: readonly AccountAllocation[]): string {
  if (allocations.length === 0) return sha256().digest('hex');
  let level = allocations.map(leafHash);
  while (level.length > 1) level = parentLevel(level);
  return (level[0] as Buffer).toString('hex');
}

/** The proof of `account`'s row, or `undefined` when the account has no row. */
export function merkleProof(
  allocations: readonly AccountAllocation[],
  account: string,
): MerkleProof | undefined {
  let position = allocations.findIndex((allocation) => allocation.account === account);
  const row = allocations[position];
  if (row === undefined) return undefined;
  const steps: MerkleProofStep[] = [];
  let level = allocations.map(leafHash);
  while (level.length > 1) {
    const siblingPosition = position % 2 === 0 ? position + 1 : position - 1;
    const sibling = level[siblingPosition];
    if (sibling !== undefined) {
      steps.push({ sibling: sibling.toString('hex'), side: position % 2 === 0 ? 'right' : 'left' });
    }
    level = parentLevel(level);
    position = Math.floor(position / 2);
  }
  return { account: row.account, amount: row.amount, steps };
}

export function verifyMerkleProof(proof: MerkleProof, root: string): boolean {
  let node = leafHash(proof);
  for (const step of proof.steps) {
    if (!/^[0-9a-f]{64}$/.test(step.sibling)) return false;
    const sibling = Buffer.from(step.sibling, 'hex');
    node = step.side === 'left' ? parentHash(sibling, node) : parentHash(node, sibling);
  }
  return node.toString('hex') === root;
}

export function leafHash(allocation: AccountAllocation): Buffer {
  return sha256().update(`${allocation.account}:${allocation.amount}`, 'utf8').digest();
}

function parentLevel(level: readonly Buffer[]): Buffer[] {
  const parents: Buffer[] = [];
  for (let index = 0; index + 1 < level.length; index += 2) {
    parents.push(parentHash(level[index] as Buffer, level[index + 1] as Buffer));
  }
  if (level.length % 2 === 1) parents.push(level[level.length - 1] as Buffer);
  return parents;
}

function parentHash(left: Buffer, right: Buffer): Buffer {
  return sha256().update(left).update(right).digest();
}

function sha256() {
  return createHash('sha256');
}
