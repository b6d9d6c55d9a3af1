import { monthCounts, monthsHeld, project, rowBytes, splitOutbox, TABLES } from './scale-model.js';

const SETTINGS = { closedPeriodsAttached: 2, processedEventsDays: 43, outboxDays: 7 };

describe('monthCounts', () => {
  it('counts the rows drivers of a month at 10M subscribers and 1B events', () => {
    const counts = monthCounts({
      subscribers: 10_000_000,
      events: 1_000_000_000,
      eventsPerRequest: 1_000,
      correctionShare: 0.001,
      usageRowsPerSubscriber: 10,
      closeAccounts: 900,
    });
    expect(counts).toEqual({
      subscribers: 10_000_000,
      events: 1_000_000_000,
      corrections: 1_000_000,
      requests: 1_000_000,
      announcements: 2_000_000,
      usageRows: 100_000_000,
      payments: 10_000_000,
      closeAccounts: 900,
    });
    const rows = new Map(TABLES.map((table) => [table.name, table.rowsPerMonth(counts)]));
    expect(rows.get('metering.usage_events')).toBe(1_000_000_000);
    expect(rows.get('ledger.processed_events')).toBe(12_000_000);
    expect(rows.get('ledger.ledger_entries [mints]')).toBe(40_000_000);
    expect(rows.get('ledger.ledger_entries [close]')).toBe(10_000_900);
  });
});

describe('monthsHeld', () => {
  it('holds every month without the setting, and only what the setting keeps with it', () => {
    expect(monthsHeld('period', 12, SETTINGS, false)).toBe(12);
    expect(monthsHeld('period', 12, SETTINGS, true)).toBe(3);
    expect(monthsHeld('period', 2, SETTINGS, true)).toBe(2);
    expect(monthsHeld('kafka-horizon', 36, SETTINGS, true)).toBeCloseTo(43 / 30.44);
    expect(monthsHeld('outbox', 12, SETTINGS, true)).toBeCloseTo(7 / 30.44);
    expect(monthsHeld('escrow', 36, SETTINGS, true)).toBe(1);
    expect(monthsHeld('forever', 36, SETTINGS, true)).toBe(36);
    expect(monthsHeld('stock', 36, SETTINGS, false)).toBe(1);
  });
});

describe('project', () => {
  it('multiplies bytes per row by rows, and months held', () => {
    const bytes = rowBytes({ rows: 1_000, tableBytes: 200_000, indexBytes: 50_000 });
    expect(bytes).toEqual({ table: 200, index: 50 });
    const projection = project(bytes, 1_000_000, 'period', SETTINGS, [12, 36]);
    expect(projection.bytesPerMonth).toBe(250_000_000);
    expect(projection.held).toEqual([
      { months: 12, without: 3_000_000_000, with: 750_000_000 },
      { months: 36, without: 9_000_000_000, with: 750_000_000 },
    ]);
  });

  it('takes an empty table as zero bytes per row', () => {
    expect(rowBytes({ rows: 0, tableBytes: 8_192, indexBytes: 8_192 })).toEqual({ table: 0, index: 0 });
  });
});

describe('splitOutbox', () => {
  it('shares what is not payload per row and scales each group’s payload', () => {
    const [requests, corrections] = splitOutbox({ rows: 3, tableBytes: 3_300, indexBytes: 300 }, [
      { rows: 1, payloadBytes: 2_000, payloadScale: 1.5 },
      { rows: 2, payloadBytes: 1_000, payloadScale: 1 },
    ]);
    expect(requests).toEqual({ rows: 1, tableBytes: 100 + 3_000, indexBytes: 100 });
    expect(corrections).toEqual({ rows: 2, tableBytes: 200 + 1_000, indexBytes: 200 });
  });
});
