import { describe, expect, it } from '@jest/globals';
import { InternalCredential } from './internal-credential.js';

describe('the platform-internal credential', () => {
  const token = 'an internal token of at least thirty-two characters';
  const credential = new InternalCredential(token);

  it('matches the exact token only', () => {
    expect(credential.matches(token)).toBe(true);
    expect(credential.matches(`${token} `)).toBe(false);
    expect(credential.matches(token.slice(0, -1))).toBe(false);
    expect(credential.matches(token.toUpperCase())).toBe(false);
    expect(credential.matches('')).toBe(false);
    expect(credential.matches(undefined)).toBe(false);
  });

  it('refuses to be made from a short token', () => {
    expect(() => new InternalCredential('x'.repeat(31))).toThrow(/at least 32/);
  });
});
