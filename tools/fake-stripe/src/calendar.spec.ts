import { addMonths } from './calendar.js';

const at = (iso: string) => Date.parse(iso) / 1_000;

describe('addMonths', () => {
  it('moves a first-of-month anchor to the first of the next month, across years', () => {
    expect(addMonths(at('2026-11-01T00:00:00Z'), 1, 1)).toBe(at('2026-12-01T00:00:00Z'));
    expect(addMonths(at('2026-12-01T00:00:00Z'), 1, 1)).toBe(at('2027-01-01T00:00:00Z'));
  });

  it('clamps the anchor day to the end of a short month and returns to it afterwards', () => {
    const february = addMonths(at('2027-01-31T10:00:00Z'), 1, 31);
    expect(february).toBe(at('2027-02-28T10:00:00Z'));
    expect(addMonths(february, 1, 31)).toBe(at('2027-03-31T10:00:00Z'));
  });
});
