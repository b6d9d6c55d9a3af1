import { isSepaReference, sepaText } from './sepa-text.js';

describe('sepaText', () => {
  it('transliterates accents and letters outside the EPC set', () => {
    expect(sepaText('Jürgen Weiß & Søn, Łódź – Ærø', 70)).toBe('Jurgen Weiss + Son, Lodz - AEro');
    expect(sepaText('François Œuvre “Café”', 70)).toBe("Francois OEuvre 'Cafe'");
  });

  it('replaces what cannot be transliterated, collapses spaces and cuts to the limit', () => {
    expect(sepaText('東京 Tokyo <script>;', 70)).toBe('Tokyo script');
    expect(sepaText('  a   b\n\tc ', 70)).toBe('a b c');
    expect(sepaText('x'.repeat(200), 140)).toHaveLength(140);
    expect(sepaText('abc def', 4)).toBe('abc');
  });

  it('keeps every character of the EPC set', () => {
    const allowed = "AZaz09/-?:().,'+ x";
    expect(sepaText(allowed, 140)).toBe(allowed);
  });
});

describe('isSepaReference', () => {
  it('accepts ids of 1-35 EPC characters', () => {
    expect(isSepaReference('6f1c2c9e0b2a4d7e9c3f5a1b2c3d4e5f')).toBe(true);
    expect(isSepaReference('PAYOUTS-2026-11/1')).toBe(true);
  });

  it('refuses empty, long, spaced, slash-edged and foreign ids', () => {
    for (const value of ['', 'x'.repeat(36), 'a b', '/abc', 'abc/', 'a//b', 'a&b', 'é']) {
      expect(isSepaReference(value)).toBe(false);
    }
  });
});
