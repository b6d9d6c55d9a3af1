/**
 * The Merkle proof check of merkle.ts for a browser: WebCrypto's sha256 (`globalThis.crypto.subtle`), no Node
 * import and no import at all, so the ledger serves this file's compiled JavaScript as it is to the transparency
 * page (services/ledger/src/transparency). Same rules (docs/money-rules.md): leaf = sha256(UTF-8 `account:amount`),
 * parent = sha256(left bytes || right bytes), a node carried up unchanged has no step.
 */

/** One step of a proof as the ledger's JSON has it. */
export interface ProofStepJson {
  readonly sibling: string;
  readonly side: 'left' | 'right';
}

/** A row and its proof, checked: what the root is computed from. */
export interface ProvenRow {
  /** Where it came from in the pasted JSON: `the row`, or `adjustment 2`. */
  readonly label: string;
  readonly account: string;
  /** Whole uCC, canonical decimal (no sign, no leading zero). */
  readonly amount: string;
  readonly steps: readonly ProofStepJson[];
  /** The root the pasted JSON claims, if it names one: shown, never trusted. */
  readonly claimedRoot: string | null;
}

/** A root the page publishes (the close's, or an adjustment's), with how the page names it. */
export interface PublishedRoot {
  readonly root: string;
  readonly label: string;
}

export type PastedProof =
  | { readonly ok: true; readonly rows: readonly ProvenRow[] }
  | { readonly ok: false; readonly problem: string };

export interface RowVerdict {
  readonly row: ProvenRow;
  readonly computedRoot: string;
  /** The published root the proof leads to, or null: the row is not in any allocation the page publishes. */
  readonly matched: PublishedRoot | null;
}

export type PasteVerdict =
  | { readonly ok: true; readonly rows: readonly RowVerdict[] }
  | { readonly ok: false; readonly problem: string };

/** Longer than any real paste (a proof of a billion rows has 30 steps of 90 characters). */
export const MAX_PASTE_CHARACTERS = 200_000;
/** A tree deeper than this would hold more rows than there are accounts. */
const MAX_STEPS = 64;
const HEX_DIGEST = /^[0-9a-f]{64}$/;
const ACCOUNT_KEY = /^[a-z]+:\S+$/;
const WHOLE_NUMBER = /^(0|[1-9][0-9]*)$/;

/**
 * Reads what a payee or subscriber pastes: the answer of `GET …/statements/accounts/{account}?period=` or
 * `GET …/periods/{p}/proofs/{account}` (`{account, amount, proof: {steps}, merkleRoot, adjustments: [...]}`,
 * each adjustment's row with its own proof), or a bare `{account, amount, steps}`. A problem names the field.
 */
export function parsePastedProof(text: string): PastedProof {
  if (text.trim() === '') return problem('Paste the JSON of a statement or proof first.');
  if (text.length > MAX_PASTE_CHARACTERS)
    return problem(`The pasted text is longer than ${MAX_PASTE_CHARACTERS} characters: not a proof.`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return problem(`The pasted text is not JSON (${error instanceof Error ? error.message : 'unreadable'}).`);
  }
  if (!isRecord(value))
    return problem('The pasted JSON must be an object with `account`, `amount` and a proof.');
  const account = accountOf(value['account']);
  if (typeof account !== 'string') return account;
  const rows: ProvenRow[] = [];
  const main = rowOf('the row', account, value, '');
  if ('problem' in main) return problem(main.problem);
  rows.push(main);
  const adjustments = value['adjustments'];
  if (adjustments !== undefined) {
    if (!Array.isArray(adjustments)) return problem('`adjustments` must be a list.');
    for (const [index, adjustment] of adjustments.entries()) {
      const at = `adjustments[${index}]`;
      if (!isRecord(adjustment)) return problem(`\`${at}\` must be an object.`);
      const sequence = adjustment['sequence'];
      const label = Number.isSafeInteger(sequence)
        ? `adjustment ${String(sequence)}`
        : `adjustment ${index + 1}`;
      const row = rowOf(label, account, adjustment, `${at}.`);
      if ('problem' in row) return problem(row.problem);
      rows.push(row);
    }
  }
  return { ok: true, rows };
}

/** The root a row's proof leads to, as lowercase hex. */
export async function rootOfProof(row: Pick<ProvenRow, 'account' | 'amount' | 'steps'>): Promise<string> {
  let node = await sha256(new TextEncoder().encode(`${row.account}:${row.amount}`));
  for (const step of row.steps) {
    const sibling = bytesOfHex(step.sibling);
    node = await sha256(step.side === 'left' ? concat(sibling, node) : concat(node, sibling));
  }
  return hexOf(node);
}

/**
 * Checks every row of the paste against the roots the page publishes, never against a root the paste names: a
 * proof verifies when it leads to one of them.
 */
export async function verifyPastedProof(
  text: string,
  published: readonly PublishedRoot[],
): Promise<PasteVerdict> {
  const pasted = parsePastedProof(text);
  if (!pasted.ok) return pasted;
  const rows: RowVerdict[] = [];
  for (const row of pasted.rows) {
    const computedRoot = await rootOfProof(row);
    rows.push({ row, computedRoot, matched: published.find((each) => each.root === computedRoot) ?? null });
  }
  return { ok: true, rows };
}

type RowProblem = { readonly problem: string };

function rowOf(
  label: string,
  account: string,
  value: Readonly<Record<string, unknown>>,
  at: string,
): ProvenRow | RowProblem {
  const amount = amountOf(value['amount'], `${at}amount`);
  if (typeof amount !== 'string') return amount;
  const proof = value['proof'];
  let steps: unknown;
  let stepsAt: string;
  if (proof !== undefined) {
    if (!isRecord(proof)) return { problem: `\`${at}proof\` must be an object with \`steps\`.` };
    steps = proof['steps'];
    stepsAt = `${at}proof.steps`;
  } else {
    steps = value['steps'];
    stepsAt = `${at}steps`;
  }
  const checked = stepsOf(steps, stepsAt);
  if (!Array.isArray(checked)) return checked as RowProblem;
  const claimed = value['merkleRoot'];
  return {
    label,
    account,
    amount,
    steps: checked,
    claimedRoot: typeof claimed === 'string' ? claimed : null,
  };
}

function accountOf(value: unknown): string | PastedProof {
  if (typeof value !== 'string' || !ACCOUNT_KEY.test(value))
    return problem('`account` must be an allocation key as text, such as `member:<id>` or `fund:general`.');
  return value;
}

function amountOf(value: unknown, at: string): string | RowProblem {
  if (typeof value === 'string' && WHOLE_NUMBER.test(value)) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  return { problem: `\`${at}\` must be a whole number of uCC as text, such as "1250000".` };
}

function stepsOf(value: unknown, at: string): ProofStepJson[] | RowProblem {
  if (value === undefined)
    return { problem: `\`${at}\` is missing: paste the whole answer, with the proof's steps.` };
  if (!Array.isArray(value))
    return { problem: `\`${at}\` must be a list of steps, each {"sibling", "side"}.` };
  if (value.length > MAX_STEPS) return { problem: `\`${at}\` has more than ${MAX_STEPS} steps.` };
  const steps: ProofStepJson[] = [];
  for (const [index, step] of value.entries()) {
    const stepAt = `${at}[${index}]`;
    if (!isRecord(step)) return { problem: `\`${stepAt}\` must be an object with \`sibling\` and \`side\`.` };
    const { sibling, side } = step;
    if (typeof sibling !== 'string' || !HEX_DIGEST.test(sibling))
      return { problem: `\`${stepAt}.sibling\` must be 64 lowercase hexadecimal digits.` };
    if (side !== 'left' && side !== 'right')
      return { problem: `\`${stepAt}.side\` must be "left" or "right".` };
    steps.push({ sibling, side });
  }
  return steps;
}

const problem = (text: string): { readonly ok: false; readonly problem: string } => ({
  ok: false,
  problem: text,
});

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes));
}

function concat(left: Uint8Array, right: Uint8Array): Uint8Array<ArrayBuffer> {
  const joined = new Uint8Array(left.length + right.length);
  joined.set(left, 0);
  joined.set(right, left.length);
  return joined;
}

function bytesOfHex(hex: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(hex.length / 2);
  for (let index = 0; index < bytes.length; index++)
    bytes[index] = Number.parseInt(hex.slice(index * 2, index * 2 + 2), 16);
  return bytes;
}

function hexOf(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
