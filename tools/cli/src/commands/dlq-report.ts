import { dlqPosition, type DeadLetterEntry, type RedriveOutcome } from '@onecommons/kafka';

/** What `dlq list` shows of one DLQ topic: its pending letters. */
export interface DeadLetterListing {
  readonly topic: string;
  readonly entries: readonly DeadLetterEntry[];
}

/** `dlq list --json`: one object, every listed DLQ topic a key, empty ones included. */
export function deadLettersJson(listings: readonly DeadLetterListing[]): string {
  return JSON.stringify(Object.fromEntries(listings.map(({ topic, entries }) => [topic, entries])), null, 2);
}

const ERROR_WIDTH = 60;

const COLUMNS: ReadonlyArray<readonly [string, (entry: DeadLetterEntry) => string | number | null]> = [
  ['POSITION', (entry) => dlqPosition(entry.partition, entry.offset)],
  ['EVENT ID', (entry) => entry.eventId],
  ['TYPE', (entry) => entry.eventType],
  ['KEY', (entry) => entry.key],
  [
    'ORIGINAL',
    (entry) =>
      entry.originalPartition === null || entry.originalOffset === null
        ? null
        : dlqPosition(entry.originalPartition, entry.originalOffset),
  ],
  ['GROUP', (entry) => entry.consumerGroup],
  ['REASON', (entry) => entry.reason],
  ['ATTEMPTS', (entry) => entry.attempts],
  ['FAILED AT', (entry) => entry.failedAt],
  ['ERROR', (entry) => (entry.error === null ? null : oneLine(entry.error, ERROR_WIDTH))],
];

/** `dlq list`: per topic a count line and, when it has letters, a table of them; then the total. */
export function deadLettersText(listings: readonly DeadLetterListing[]): string {
  const lines: string[] = [];
  for (const { topic, entries } of listings) {
    lines.push(`${topic}: ${countOf(entries.length)}`);
    if (entries.length > 0) lines.push(...table(entries).map((row) => `  ${row}`));
  }
  const total = listings.reduce((sum, listing) => sum + listing.entries.length, 0);
  lines.push(`${countOf(total)} in ${listings.length} ${listings.length === 1 ? 'topic' : 'topics'}`);
  return `${lines.join('\n')}\n`;
}

/** `dlq redrive`: how many went back where, and which letters (by position and event id). */
export function redriveText(outcome: Extract<RedriveOutcome, { ok: true }>): string {
  const { dlqTopic, originalTopic, redriven, republished, alreadyRedriven } = outcome;
  const lines =
    redriven.length === 0
      ? [`nothing to redrive on ${dlqTopic}`]
      : [
          `redrove ${countOf(redriven.length)} from ${dlqTopic} to ${originalTopic} ` +
            `(${republished} ${republished === 1 ? 'message' : 'messages'} republished):`,
          ...redriven.map(
            (entry) => `  ${dlqPosition(entry.partition, entry.offset)}  ${entry.eventId ?? '(no event id)'}`,
          ),
        ];
  if (alreadyRedriven.length > 0) lines.push(`already redriven: ${alreadyRedriven.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

function table(entries: readonly DeadLetterEntry[]): string[] {
  const rows = [
    COLUMNS.map(([header]) => header),
    ...entries.map((entry) => COLUMNS.map(([, cell]) => String(cell(entry) ?? '-'))),
  ];
  const widths = COLUMNS.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}

function countOf(count: number): string {
  return `${count} ${count === 1 ? 'dead letter' : 'dead letters'}`;
}

function oneLine(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= width ? flat : `${flat.slice(0, width - 1)}…`;
}
