import { type NamedPeriodTransparency } from './period-transparency-reader.js';
import {
  malformedPeriodPage,
  periodNotClosedPage,
  periodTransparencyPage,
  tokens,
  transparencyIndexPage,
} from './transparency-pages.js';

const ROOT = 'a'.repeat(64);
const ADJUSTED_ROOT = 'b'.repeat(64);
const HOSTILE = '<script>alert("pwned")</script>';

const view: NamedPeriodTransparency = {
  period: '2026-01',
  total: '1500000000',
  merkleRoot: ROOT,
  closedAt: '2026-02-01T03:00:00.000Z',
  roles: {
    fund: '75000000',
    providers: '427500000',
    operators: '798000000',
    members: '149625000',
    escrows: '49875000',
  },
  adjustments: [
    {
      sequence: 1,
      postedIn: '2026-03',
      total: '1500000000',
      merkleRoot: ADJUSTED_ROOT,
      previousMerkleRoot: ROOT,
      roles: {
        fund: '75000000',
        providers: '400000000',
        operators: '825500000',
        members: '149625000',
        escrows: '49875000',
      },
      corrections: 2,
      adjustedAt: '2026-03-04T10:00:00.000Z',
    },
  ],
  projectFlow: {
    developerShare: 199500000n,
    passedToDependencies: 19950000n,
    levels: [
      { level: 0, projects: 2, inflow: 199500000n, passed: 19950000n, kept: 179550000n },
      { level: 1, projects: 1, inflow: 19950000n, passed: 0n, kept: 19950000n },
    ],
  },
  fundedProjects: ['p1', 'p2', 'p3'],
  projectNames: [HOSTILE, 'Wiki & friends'],
};

describe('the period page', () => {
  const page = periodTransparencyPage(view);

  it('escapes a project’s name: a name like a script tag stays text', () => {
    expect(page).toContain('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;');
    expect(page).not.toContain(HOSTILE);
    expect(page).toContain('Wiki &amp; friends');
    // The one script is the page's own file, loaded by address.
    expect([...page.matchAll(/<script\b[^>]*>/g)].map(([tag]) => tag)).toEqual([
      '<script type="module" src="/transparency/assets/verify.js">',
    ]);
  });

  it('publishes the close’s and each adjustment’s root for the verifier, with their names', () => {
    expect(page).toContain(`data-merkle-root="${ROOT}" data-root-label="the close of 2026-01"`);
    expect(page).toContain(`data-merkle-root="${ADJUSTED_ROOT}" data-root-label="adjustment 1 of 2026-01"`);
  });

  it('shows the role totals, the flow per dependency level and the funded projects’ count', () => {
    for (const amount of [
      '1500000000',
      '75000000',
      '427500000',
      '798000000',
      '149625000',
      '49875000',
      '825500000',
    ])
      expect(page).toContain(`<data value="${amount}">`);
    expect(page).toContain('<data value="19950000">19.95 CC</data>');
    expect(page).toMatch(/data-level="1"[\s\S]*?level 1/);
    expect(page).toContain('went to 3\n      projects');
    expect(page).toContain('and 1 project the ledger has no name for');
  });

  it('has a form that posts nowhere: the script checks the paste', () => {
    expect(page).toMatch(/<form id="proof-form" autocomplete="off">/);
    expect(page).not.toMatch(/<form[^>]*(action|method)=/);
  });

  it('says so when no service of the period belongs to a project', () => {
    const bare = periodTransparencyPage({
      ...view,
      adjustments: [],
      projectFlow: { developerShare: 0n, passedToDependencies: 0n, levels: [] },
      fundedProjects: [],
      projectNames: [],
    });
    expect(bare).toContain('no developer share was paid');
    expect(bare).toContain('No adjustment');
  });
});

describe('the other pages', () => {
  it('list the closed periods, newest first as given, linking each', () => {
    const index = transparencyIndexPage([
      { period: '2026-02', total: '10', merkleRoot: ROOT, closedAt: new Date(), adjustments: 0 },
      { period: '2026-01', total: '20', merkleRoot: ADJUSTED_ROOT, closedAt: new Date(), adjustments: 1 },
    ]);
    expect(index.indexOf('href="/transparency/2026-02"')).toBeLessThan(
      index.indexOf('href="/transparency/2026-01"'),
    );
    expect(transparencyIndexPage([])).toContain('No period is closed yet.');
  });

  it('escape the malformed period they echo, cut short', () => {
    const page = malformedPeriodPage('<img src=x onerror=alert(1)>');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).not.toContain('<img');
    expect(malformedPeriodPage('x'.repeat(500))).toContain(`${'x'.repeat(40)}…`);
    expect(periodNotClosedPage('2031-01')).toContain('data-code="period_not_closed"');
  });
});

describe('tokens', () => {
  it.each([
    ['0', '0 CC'],
    ['1', '0.000001 CC'],
    ['1500000000', '1,500 CC'],
    ['1234567891', '1,234.567891 CC'],
    ['-2500000', '-2.5 CC'],
  ])('shows %s uCC as %s', (ucc, shown) => {
    expect(tokens(ucc).text).toBe(`<data value="${ucc}">${shown}</data>`);
  });
});
