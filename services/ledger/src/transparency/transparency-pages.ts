import { Html, html } from '@onecommons/service-kit';
import { type PublicAdjustmentDto } from '../adjustments/adjustment-views.js';
import { type RoleTotalsDto } from '../periods/earnings-visibility.js';
import { type NamedPeriodTransparency } from './period-transparency-reader.js';
import { type ClosedPeriodListing } from './transparency.repository.js';

/**
 * The public transparency pages (docs/transparency.md), rendered on the server: every value goes through `html`,
 * which escapes it (a project's name is whatever its organization typed). The pages link by the gateway's public
 * path; the period page loads one script of this origin (the gateway's policy for these pages allows nothing else).
 */
export const TRANSPARENCY_PATH = '/transparency';
export const VERIFY_SCRIPT_PATH = `${TRANSPARENCY_PATH}/assets/verify.js`;

const STYLE = `
  body { font-family: system-ui, sans-serif; max-width: 54rem; margin: 2rem auto; padding: 0 1rem; color: #1b1b1b; line-height: 1.45; }
  h1 { font-size: 1.6rem; margin-bottom: .2rem; }
  h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; }
  .lede { color: #444; margin-top: 0; }
  table { border-collapse: collapse; width: 100%; margin: .5rem 0; }
  th, td { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid #eee; vertical-align: top; }
  td.amount, th.amount { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
  code.root { font-size: .85rem; word-break: break-all; background: #f4f4f4; padding: .1rem .25rem; }
  ul.projects { columns: 2; padding-left: 1.2rem; }
  textarea { width: 100%; box-sizing: border-box; font-family: ui-monospace, monospace; font-size: .85rem; }
  button { margin-top: .6rem; padding: .5rem 1rem; font-size: 1rem; }
  .verdict { margin-top: 1rem; padding: .6rem .8rem; border-left: 4px solid #888; background: #f7f7f7; }
  .verdict:empty { display: none; }
  .verdict[data-verdict="verified"] { border-color: #1b5e20; background: #edf7ee; }
  .verdict[data-verdict="not-verified"], .verdict[data-verdict="invalid"] { border-color: #a40000; background: #fbeeee; }
  .verdict ul { margin: .3rem 0 0; padding-left: 1.2rem; }
  .error { color: #a40000; border-left: 3px solid #a40000; padding-left: .6rem; }
  .note { color: #555; font-size: .9rem; }
`;

/** A whole page; the style sheet is this module's constant, written as it is. */
function layout(title: string, body: Html, script?: string): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>${title} · OneCommons transparency</title>
        <style>
          ${new Html(STYLE)}
        </style>
        ${script ? html`<script type="module" src="${script}"></script>` : ''}
      </head>
      <body>
        <main>${body}</main>
      </body>
    </html>`.text;
}

const MICRO = 1_000_000n;

/** uCC as CommonCents for people (`1,234.5 CC`); the exact uCC in the element's value. */
export function tokens(ucc: string | bigint): Html {
  const value = BigInt(ucc);
  const sign = value < 0n ? '-' : '';
  const magnitude = value < 0n ? -value : value;
  const whole = (magnitude / MICRO).toLocaleString('en-US');
  const fraction = (magnitude % MICRO).toString().padStart(6, '0').replace(/0+$/, '');
  return html`<data value="${value.toString()}">${sign}${whole}${fraction ? `.${fraction}` : ''} CC</data>`;
}

const ROLE_NAMES: readonly [keyof RoleTotalsDto, string][] = [
  ['fund', 'General fund'],
  ['providers', 'Providers (hosting)'],
  ['operators', 'Operators (running the services)'],
  ['members', 'Project members'],
  ['escrows', 'Held for projects without members yet'],
];

function roleTable(roles: RoleTotalsDto, total: string): Html {
  return html`<table>
    <thead>
      <tr>
        <th>Role</th>
        <th class="amount">Received in total</th>
      </tr>
    </thead>
    <tbody>
      ${ROLE_NAMES.map(
        ([role, name]) =>
          html`<tr data-role="${role}">
            <td>${name}</td>
            <td class="amount">${tokens(roles[role])}</td>
          </tr>`,
      )}
      <tr>
        <th>All subscribers’ tokens</th>
        <th class="amount">${tokens(total)}</th>
      </tr>
    </tbody>
  </table>`;
}

/** A root the verifier may match: the page script reads every `data-merkle-root` with its label. */
function root(value: string, label: string): Html {
  return html`<code class="root" data-merkle-root="${value}" data-root-label="${label}">${value}</code>`;
}

function adjustmentSection(period: string, adjustments: readonly PublicAdjustmentDto[]): Html {
  if (adjustments.length === 0)
    return html`<p>No adjustment: the close’s allocation stands as it was published.</p>`;
  return html`<p>
      Usage corrections that arrived after the close were applied by adjustments: each recomputed the
      allocation with them, published a new root, and posted only the difference in a later period (the close
      itself is never rewritten).
    </p>
    ${adjustments.map(
      (adjustment) =>
        html`<h3 id="adjustment-${adjustment.sequence}">Adjustment ${adjustment.sequence}</h3>
          <p>
            Posted in ${adjustment.postedIn}, ${adjustment.adjustedAt.slice(0, 10)}; ${adjustment.corrections}
            correction${adjustment.corrections === 1 ? '' : 's'}. Merkle root:
            ${root(adjustment.merkleRoot, `adjustment ${adjustment.sequence} of ${period}`)}
          </p>
          ${roleTable(adjustment.roles, adjustment.total)}`,
    )}`;
}

function projectFlowSection(view: NamedPeriodTransparency): Html {
  const flow = view.projectFlow;
  if (flow.levels.length === 0)
    return html`<p>No service used in ${view.period} belongs to a project: no developer share was paid.</p>`;
  const unnamed = view.fundedProjects.length - view.projectNames.length;
  return html`<p>
      The developer share of the services’ revenue went to ${view.fundedProjects.length}
      project${view.fundedProjects.length === 1 ? '' : 's'}: ${tokens(flow.developerShare)}, of which
      ${tokens(flow.passedToDependencies)} flowed on to the projects they depend on.
    </p>
    <table>
      <thead>
        <tr>
          <th>Dependency level</th>
          <th class="amount">Projects</th>
          <th class="amount">Received</th>
          <th class="amount">Passed to dependencies</th>
          <th class="amount">Kept</th>
        </tr>
      </thead>
      <tbody>
        ${flow.levels.map(
          (level) =>
            html`<tr data-level="${level.level}">
              <td>${level.level === 0 ? 'the services’ own projects' : `level ${level.level}`}</td>
              <td class="amount">${level.projects}</td>
              <td class="amount">${tokens(level.inflow)}</td>
              <td class="amount">${tokens(level.passed)}</td>
              <td class="amount">${tokens(level.kept)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    <h3>Projects funded</h3>
    <ul class="projects">
      ${view.projectNames.map((name) => html`<li>${name}</li>`)}
    </ul>
    ${
      unnamed > 0
        ? html`<p class="note">
            and ${unnamed} project${unnamed === 1 ? '' : 's'} the ledger has no name for.
          </p>`
        : ''
    }
    <p class="note">
      What each project received is its organization’s business and is shown only to its members: this page
      shows the flow per level, not per project.
    </p>`;
}

const VERIFY_SECTION = html`<h2 id="verify">Check your own row</h2>
  <p>
    Paste the answer of <code>GET /api/ledger/v1/statements/accounts/{account}?period=…</code> or
    <code>GET /api/ledger/v1/periods/{period}/proofs/{account}</code> (or just
    <code>{"account", "amount", "steps"}</code>). Your browser hashes your row and its proof and compares the
    result with the roots published above; nothing you paste leaves this page.
  </p>
  <form id="proof-form" autocomplete="off">
    <label for="proof-json">Your statement or proof (JSON)</label>
    <textarea id="proof-json" name="proof" rows="9" spellcheck="false" required></textarea>
    <button type="submit">Verify in this browser</button>
  </form>
  <div id="proof-verdict" class="verdict" role="status" aria-live="polite" data-verdict="none"></div>
  <noscript>
    <p class="note">
      The check runs in your browser and needs JavaScript; docs/transparency.md shows it by hand.
    </p>
  </noscript>`;

export function periodTransparencyPage(view: NamedPeriodTransparency): string {
  return layout(
    `Period ${view.period}`,
    html`<p><a href="${TRANSPARENCY_PATH}/">All closed periods</a></p>
      <h1>Period ${view.period}</h1>
      <p class="lede">
        Closed ${view.closedAt.slice(0, 10)}. Every subscriber’s fee for the month became tokens, and the
        close divided all of them among the roles below. Each participant can check its own amount against the
        Merkle root; nobody else’s amount is shown here.
      </p>
      <h2>The close</h2>
      <p>Merkle root of the allocation: ${root(view.merkleRoot, `the close of ${view.period}`)}</p>
      ${roleTable(view.roles, view.total)}
      <h2>Adjustments</h2>
      ${adjustmentSection(view.period, view.adjustments)}
      <h2>Projects and their dependencies</h2>
      ${projectFlowSection(view)} ${VERIFY_SECTION}`,
    VERIFY_SCRIPT_PATH,
  );
}

export function transparencyIndexPage(periods: readonly ClosedPeriodListing[]): string {
  return layout(
    'Closed periods',
    html`<h1>Closed periods</h1>
      <p class="lede">
        Each month’s fees, and how the close divided them: totals per role, the Merkle root every participant
        can check its own amount against, and the projects funded.
      </p>
      ${
        periods.length === 0
          ? html`<p>No period is closed yet.</p>`
          : html`<table>
              <thead>
                <tr>
                  <th>Period</th>
                  <th class="amount">Total</th>
                  <th>Merkle root</th>
                  <th class="amount">Adjustments</th>
                </tr>
              </thead>
              <tbody>
                ${periods.map(
                  (listing) =>
                    html`<tr>
                      <td><a href="${TRANSPARENCY_PATH}/${listing.period}">${listing.period}</a></td>
                      <td class="amount">${tokens(listing.total)}</td>
                      <td><code class="root">${listing.merkleRoot}</code></td>
                      <td class="amount">${listing.adjustments}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
      }`,
  );
}

export function periodNotClosedPage(period: string): string {
  return layout(
    `Period ${period} is not closed`,
    html`<h1>Period ${period} is not closed</h1>
      <p class="error" data-code="period_not_closed">
        ${period} has not been closed yet (or is not a period of this platform): its allocation is published
        once it closes, a few hours after the month ends.
      </p>
      <p><a href="${TRANSPARENCY_PATH}/">The closed periods</a></p>`,
  );
}

/** The raw path segment is echoed, escaped and cut short: enough to see the typo. */
export function malformedPeriodPage(raw: string): string {
  const shown = raw.length > 40 ? `${raw.slice(0, 40)}…` : raw;
  return layout(
    'Not a period',
    html`<h1>Not a period</h1>
      <p class="error" data-code="validation_failed" data-field="period">
        “${shown}” is not a period: write it as YYYY-MM, for example 2026-01.
      </p>
      <p><a href="${TRANSPARENCY_PATH}/">The closed periods</a></p>`,
  );
}
