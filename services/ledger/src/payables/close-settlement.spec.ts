import { describe, expect, it } from '@jest/globals';
import { periodsBefore } from './close-settlement.js';

describe('periodsBefore', () => {
  it('counts whole months back across years', () => {
    expect(periodsBefore('2026-11', 12)).toBe('2025-11');
    expect(periodsBefore('2026-01', 1)).toBe('2025-12');
    expect(periodsBefore('2026-03', 0)).toBe('2026-03');
  });
});
