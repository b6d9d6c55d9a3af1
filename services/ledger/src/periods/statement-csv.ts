import { type AccountStatementDto, type SubscriberStatementDto } from './period-statements.js';
import { type SubscriberServiceDto } from './statement-lines.js';

type Cell = string | number | null;

/** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled; lines end with CRLF. */
function csv(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

function csvField(cell: Cell): string {
  if (cell === null) return '';
  let text = String(cell);
  // A spreadsheet runs a cell that starts with = + @ or a tab as a formula; numbers may start with '-'.
  if (/^[=+@\t\r]/.test(text) || (text.startsWith('-') && !/^-\d+$/.test(text))) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const entryCells = (entry: { transaction: string; line: number } | null): Cell[] =>
  entry ? [entry.transaction, entry.line] : [null, null];

/** One row per statement line; the `amount` column sums to the account's allocated amount. */
export function accountStatementCsv(statement: AccountStatementDto): string {
  return csv(
    [
      'period',
      'account',
      'role',
      'service',
      'source_project',
      'project',
      'dependency_level',
      'amount_ucc',
      'service_subscribers',
      'service_usage_weight',
      'ledger_transaction',
      'ledger_line',
      'merkle_root',
    ],
    statement.lines.map((line) => [
      statement.period,
      statement.account,
      line.role,
      line.service,
      line.sourceProject,
      line.project,
      line.level,
      line.amount,
      line.usage?.subscribers ?? null,
      line.usage?.weight ?? null,
      ...entryCells(line.ledgerEntry),
      statement.merkleRoot,
    ]),
  );
}

/**
 * One row per account the subscriber's tokens reached (the fund, providers, operators, members, escrows): the
 * `amount_ucc` column sums to the subscriber's tokens. Dependency passes are rows of kind `passed`, not summed.
 */
export function subscriberStatementCsv(statement: SubscriberStatementDto): string {
  const header = [
    'period',
    'subscriber',
    'kind',
    'service',
    'usage_weight',
    'role',
    'from_project',
    'project',
    'dependency_level',
    'account',
    'amount_ucc',
    'ledger_transaction',
    'ledger_line',
  ];
  const rows: Cell[][] = [];
  const row = (line: {
    kind: 'credit' | 'passed';
    service?: SubscriberServiceDto;
    role: string;
    fromProject?: string;
    project?: string;
    level?: number;
    account?: string;
    amount: string;
  }) =>
    rows.push([
      statement.period,
      statement.subscriber,
      line.kind,
      line.service?.service ?? null,
      line.service?.weight ?? null,
      line.role,
      line.fromProject ?? null,
      line.project ?? null,
      line.level ?? null,
      line.account ?? null,
      line.amount,
      ...entryCells(line.service?.ledgerEntry ?? null),
    ]);
  if (BigInt(statement.generalFund) > 0n)
    row({ kind: 'credit', role: 'fund', account: 'fund:general', amount: statement.generalFund });
  for (const service of statement.services) {
    for (const credit of service.credits)
      row({ kind: 'credit', service, role: credit.role, account: credit.account, amount: credit.amount });
    for (const level of service.project?.levels ?? [])
      for (const share of level.passed)
        row({
          kind: 'passed',
          service,
          role: 'dependency',
          fromProject: level.project,
          project: share.dependency,
          level: level.level + 1,
          amount: share.amount,
        });
    for (const recipient of service.project?.recipients ?? [])
      row({
        kind: 'credit',
        service,
        role: recipient.account.startsWith('escrow:') ? 'escrow' : 'member',
        project: recipient.project,
        account: recipient.account,
        amount: recipient.amount,
      });
  }
  return csv(header, rows);
}
