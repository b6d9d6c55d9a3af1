import { type AccountStatementDto, type SubscriberStatementDto } from './period-statements.js';
import { accountStatementCsv, subscriberStatementCsv } from './statement-csv.js';

const entry = { transaction: 'close:2026-11', seq: '7', line: 3 };

const accountStatement = (lines: AccountStatementDto['lines']): AccountStatementDto => ({
  account: 'member:m',
  period: '2026-11',
  amount: '0',
  sources: [],
  lines,
  ledgerEntries: [],
  proof: { steps: [] },
  merkleRoot: 'ab'.repeat(32),
  adjustments: [],
});

describe('statement CSV exports', () => {
  it('writes one row per account line, with the service’s usage and the journal entry', () => {
    const csv = accountStatementCsv(
      accountStatement([
        {
          role: 'dependency',
          service: 's1',
          sourceProject: 'app',
          project: 'lib',
          level: 1,
          amount: '120',
          usage: { subscribers: 5, weight: '900' },
          ledgerEntry: entry,
        },
        {
          role: 'developer',
          service: 's2',
          sourceProject: 'lib',
          project: 'lib',
          level: 0,
          amount: '30',
          usage: { subscribers: 1, weight: null },
          ledgerEntry: entry,
        },
      ]),
    );
    expect(csv.split('\r\n')).toEqual([
      'period,account,role,service,source_project,project,dependency_level,amount_ucc,service_subscribers,service_usage_weight,ledger_transaction,ledger_line,merkle_root',
      `2026-11,member:m,dependency,s1,app,lib,1,120,5,900,close:2026-11,3,${'ab'.repeat(32)}`,
      `2026-11,member:m,developer,s2,lib,lib,0,30,1,,close:2026-11,3,${'ab'.repeat(32)}`,
      '',
    ]);
  });

  it('quotes what needs quoting and defuses cells a spreadsheet would run as formulas', () => {
    const csv = accountStatementCsv(
      accountStatement([
        {
          role: 'operator',
          service: '=HYPERLINK("x")',
          sourceProject: null,
          project: 'a,b',
          level: null,
          amount: '-5',
          usage: null,
          ledgerEntry: null,
        },
      ]),
    );
    expect(csv.split('\r\n')[1]).toBe(
      `2026-11,member:m,operator,"'=HYPERLINK(""x"")",,"a,b",,-5,,,,,${'ab'.repeat(32)}`,
    );
  });

  it('lists a subscriber’s credits (summing to the tokens) and the dependency passes apart', () => {
    const statement: SubscriberStatementDto = {
      subscriber: 'u',
      period: '2026-11',
      tokens: '1000',
      generalFund: '100',
      services: [
        {
          service: 's1',
          weight: '60',
          amount: '900',
          roles: { providers: '270', operator: '504', developers: '126' },
          credits: [
            { role: 'provider', account: 'provider:p', amount: '270' },
            { role: 'operator', account: 'operator:o', amount: '504' },
          ],
          project: {
            project: 'app',
            amount: '126',
            levels: [
              {
                level: 0,
                project: 'app',
                inflow: '126',
                passed: [{ dependency: 'lib', amount: '31' }],
                kept: '95',
              },
              { level: 1, project: 'lib', inflow: '31', passed: [], kept: '31' },
            ],
            recipients: [
              { project: 'app', account: 'escrow:app', amount: '95' },
              { project: 'lib', account: 'member:m', amount: '31' },
            ],
          },
          ledgerEntry: entry,
        },
      ],
      reversals: [],
      ledgerEntries: [],
      merkleRoot: 'ab'.repeat(32),
    };
    const rows = subscriberStatementCsv(statement).trimEnd().split('\r\n');
    expect(rows).toEqual([
      'period,subscriber,kind,service,usage_weight,role,from_project,project,dependency_level,account,amount_ucc,ledger_transaction,ledger_line',
      '2026-11,u,credit,,,fund,,,,fund:general,100,,',
      '2026-11,u,credit,s1,60,provider,,,,provider:p,270,close:2026-11,3',
      '2026-11,u,credit,s1,60,operator,,,,operator:o,504,close:2026-11,3',
      '2026-11,u,passed,s1,60,dependency,app,lib,1,,31,close:2026-11,3',
      '2026-11,u,credit,s1,60,escrow,,app,,escrow:app,95,close:2026-11,3',
      '2026-11,u,credit,s1,60,member,,lib,,member:m,31,close:2026-11,3',
    ]);
    const credited = rows
      .slice(1)
      .map((row) => row.split(','))
      .filter((cells) => cells[2] === 'credit')
      .reduce((sum, cells) => sum + BigInt(cells[10] as string), 0n);
    expect(credited).toBe(1000n);
  });
});
