import { describe, expect, it } from '@jest/globals';
import { agreementCuts, cutEffectiveFrom, scheduleDue, serviceCuts } from './share-cuts.js';

const webApp = { providerBps: 3000, developerBps: 2000 };

describe('serviceCuts', () => {
  it('names the providers when the provider part falls, whether by override or by leaving the default', () => {
    expect(
      serviceCuts(
        webApp,
        true,
        { providerBps: null, developerBps: null },
        { providerBps: 0, developerBps: null },
      ),
    ).toEqual(['providers']);
    expect(
      serviceCuts(
        webApp,
        true,
        { providerBps: 5000, developerBps: null },
        { providerBps: null, developerBps: null },
      ),
    ).toEqual(['providers']);
    expect(
      serviceCuts(
        webApp,
        true,
        { providerBps: null, developerBps: null },
        { providerBps: 3500, developerBps: null },
      ),
    ).toEqual([]);
    expect(
      serviceCuts(
        webApp,
        true,
        { providerBps: 2000, developerBps: null },
        { providerBps: 2500, developerBps: null },
      ),
    ).toEqual([]);
  });

  it('names the project when the developer share above the default falls, and only then', () => {
    expect(
      serviceCuts(
        webApp,
        true,
        { providerBps: null, developerBps: 4000 },
        { providerBps: null, developerBps: 2500 },
      ),
    ).toEqual(['project']);
    expect(
      serviceCuts(
        webApp,
        true,
        { providerBps: null, developerBps: 1000 },
        { providerBps: null, developerBps: 0 },
      ),
    ).toEqual([]);
    expect(
      serviceCuts(
        webApp,
        false,
        { providerBps: null, developerBps: 4000 },
        { providerBps: null, developerBps: null },
      ),
    ).toEqual([]);
    expect(
      serviceCuts(
        webApp,
        true,
        { providerBps: 3000, developerBps: 4000 },
        { providerBps: 0, developerBps: null },
      ),
    ).toEqual(['providers', 'project']);
  });
});

describe('agreementCuts', () => {
  it('names the other operators when the project binds them to a share', () => {
    expect(
      agreementCuts(
        'project',
        { developerBps: 10_000, binding: false },
        { developerBps: 10_000, binding: true },
      ),
    ).toEqual(['operators']);
    expect(
      agreementCuts('project', { developerBps: 3000, binding: true }, { developerBps: 3000, binding: false }),
    ).toEqual([]);
  });

  it('names the project when the operator lowers its share or ends a binding with new terms', () => {
    expect(
      agreementCuts(
        'operator',
        { developerBps: 3000, binding: false },
        { developerBps: 2000, binding: false },
      ),
    ).toEqual(['project']);
    expect(
      agreementCuts(
        'operator',
        { developerBps: 3000, binding: true },
        { developerBps: 4000, binding: false },
      ),
    ).toEqual(['project']);
    expect(
      agreementCuts(
        'operator',
        { developerBps: 3000, binding: false },
        { developerBps: 4000, binding: false },
      ),
    ).toEqual([]);
  });
});

describe('the period a cut applies from', () => {
  it('is the next one, also on the last second of a period', () => {
    expect(cutEffectiveFrom(new Date('2026-11-30T23:59:59.999Z'))).toBe('2026-12');
    expect(cutEffectiveFrom(new Date('2026-12-31T12:00:00Z'))).toBe('2027-01');
    expect(scheduleDue('2026-12', new Date('2026-11-30T23:59:59.999Z'))).toBe(false);
    expect(scheduleDue('2026-12', new Date('2026-12-01T00:00:00Z'))).toBe(true);
    expect(scheduleDue(null, new Date())).toBe(false);
  });
});
