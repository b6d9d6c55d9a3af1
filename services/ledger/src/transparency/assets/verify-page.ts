/**
 * The transparency page's script, run in the visitor's browser (served as /transparency/assets/verify.js; the
 * ledger never runs it): checks a pasted statement or proof with @onecommons/allocation's WebCrypto verifier,
 * served beside it, against the roots the page publishes, and says which matched or why none did.
 */
import type * as Verifier from '@onecommons/allocation';

/** The DOM members this script uses: the ledger compiles for Node, without the DOM library's types. */
interface PageElement {
  readonly dataset: Readonly<Record<string, string | undefined>>;
  value: string;
  textContent: string | null;
  addEventListener(type: 'submit', listener: (event: { preventDefault(): void }) => void): void;
  append(...children: (PageElement | string)[]): void;
  replaceChildren(...children: (PageElement | string)[]): void;
  setAttribute(name: string, value: string): void;
}

interface PageDocument {
  getElementById(id: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement>;
  createElement(tag: string): PageElement;
}

type VerifierModule = Pick<typeof Verifier, 'verifyPastedProof'>;

const page = (globalThis as unknown as { readonly document: PageDocument }).document;
// Resolved against this script's own address: the verifier is served beside it.
const verifier = (await import(new URL('merkle-webcrypto.js', import.meta.url).href)) as VerifierModule;

function publishedRoots(): Verifier.PublishedRoot[] {
  return [...page.querySelectorAll('[data-merkle-root]')].flatMap((element) => {
    const root = element.dataset['merkleRoot'];
    const label = element.dataset['rootLabel'];
    return root && label ? [{ root, label }] : [];
  });
}

function line(text: string): PageElement {
  const item = page.createElement('li');
  item.textContent = text;
  return item;
}

function sentenceOf(verdict: Verifier.RowVerdict): string {
  const { row } = verdict;
  const what = `${row.label}: ${row.account} received ${row.amount} uCC`;
  if (verdict.matched) return `${what}. Verified: the proof leads to the root of ${verdict.matched.label}.`;
  const claimed =
    row.claimedRoot && row.claimedRoot !== verdict.computedRoot
      ? ` (nor to the root the pasted JSON names)`
      : row.claimedRoot
        ? ` (only to the root the pasted JSON names, which this page does not publish)`
        : '';
  return `${what}. Does not verify: the proof leads to ${verdict.computedRoot}, no root published on this page${claimed}.`;
}

async function check(input: PageElement, output: PageElement): Promise<void> {
  const verdict = await verifier.verifyPastedProof(input.value, publishedRoots());
  const list = page.createElement('ul');
  if (!verdict.ok) {
    output.setAttribute('data-verdict', 'invalid');
    list.append(line(verdict.problem));
    output.replaceChildren('Cannot check this:', list);
    return;
  }
  const verified = verdict.rows.every((row) => row.matched !== null);
  output.setAttribute('data-verdict', verified ? 'verified' : 'not-verified');
  for (const row of verdict.rows) list.append(line(sentenceOf(row)));
  output.replaceChildren(verified ? 'Verified.' : 'Does not verify.', list);
}

const form = page.getElementById('proof-form');
const input = page.getElementById('proof-json');
const output = page.getElementById('proof-verdict');
if (form && input && output)
  form.addEventListener('submit', (event) => {
    event.preventDefault(); // nothing is sent anywhere: the check is this script's
    output.setAttribute('data-verdict', 'checking');
    check(input, output).catch((error: unknown) => {
      output.setAttribute('data-verdict', 'invalid');
      output.replaceChildren(`The check failed in this browser: ${String(error)}`);
    });
  });
