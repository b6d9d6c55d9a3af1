import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { seal, unseal } from './sealing.js';

describe('credential sealing', () => {
  const key = randomBytes(32);

  it('round-trips and never shows the token', () => {
    const sealed = seal('hcloud-token-123', key, 'account-a');
    expect(sealed).not.toContain('hcloud-token-123');
    expect(unseal(sealed, key, 'account-a')).toBe('hcloud-token-123');
  });

  it('refuses another account’s row, another key and a tampered ciphertext', () => {
    const sealed = seal('secret', key, 'account-a');
    expect(() => unseal(sealed, key, 'account-b')).toThrow();
    expect(() => unseal(sealed, randomBytes(32), 'account-a')).toThrow();
    const parts = sealed.split('.');
    const flipped = Buffer.from(parts[3] ?? '', 'base64url');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(() =>
      unseal([...parts.slice(0, 3), flipped.toString('base64url')].join('.'), key, 'account-a'),
    ).toThrow();
  });
});
