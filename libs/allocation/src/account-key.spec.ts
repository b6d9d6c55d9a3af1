import fc from 'fast-check';
import { compareKeys } from './account-key.js';

const utf8Order = (left: string, right: string) =>
  Math.sign(Buffer.compare(Buffer.from(left), Buffer.from(right)));

describe('compareKeys', () => {
  it('orders like the UTF-8 bytes', () => {
    expect(compareKeys('fund:general', 'member:a')).toBeLessThan(0);
    expect(compareKeys('member:a', 'member:a')).toBe(0);
    expect(compareKeys('member:a', 'member:ab')).toBeLessThan(0);
    expect(compareKeys('Z', 'a')).toBeLessThan(0);
    expect(compareKeys('\u{ff21}', '\u{1f600}')).toBeLessThan(0);
    expect('\u{ff21}' < '\u{1f600}').toBe(false);
  });

  it('agrees with Buffer.compare on any well-formed strings', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 6 }),
        fc.string({ unit: 'binary', maxLength: 6 }),
        (a, b) => {
          expect(Math.sign(compareKeys(a, b))).toBe(utf8Order(a, b));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
