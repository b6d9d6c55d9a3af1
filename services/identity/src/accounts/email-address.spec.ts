import { normaliseEmail } from './email-address.js';

describe('normaliseEmail', () => {
  it('trims and lowercases', () => {
    expect(normaliseEmail('  Alice@Example.ORG ')).toBe('alice@example.org');
  });

  it('folds compatibility characters (full-width letters) to their plain form', () => {
    expect(normaliseEmail('ａｌｉｃｅ@example.org')).toBe('alice@example.org');
  });
});
