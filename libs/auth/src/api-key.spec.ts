import { describe, expect, it } from '@jest/globals';
import { API_KEY_PREFIX, apiKeyDisplayPrefix, generateApiKey, isWellFormedApiKey } from './api-key.js';

describe('API key format', () => {
  it('generates prefixed keys whose checksum verifies', () => {
    const keys = Array.from({ length: 200 }, generateApiKey);
    for (const key of keys) {
      expect(key.startsWith(API_KEY_PREFIX)).toBe(true);
      expect(key).toHaveLength(API_KEY_PREFIX.length + 38);
      expect(isWellFormedApiKey(key)).toBe(true);
    }
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('refuses a key with any one character changed', () => {
    const key = generateApiKey();
    for (let index = API_KEY_PREFIX.length; index < key.length; index += 1) {
      const replacement = key[index] === 'a' ? 'b' : 'a';
      expect(isWellFormedApiKey(key.slice(0, index) + replacement + key.slice(index + 1))).toBe(false);
    }
  });

  it('refuses other shapes', () => {
    const key = generateApiKey();
    for (const candidate of [
      '',
      'ock_',
      key.slice(1),
      `${key}0`,
      key.replace('ock_', 'ghp_'),
      `${key.slice(0, -1)}!`,
    ])
      expect(isWellFormedApiKey(candidate)).toBe(false);
  });

  it('shows only the prefix and four characters', () => {
    const key = generateApiKey();
    expect(apiKeyDisplayPrefix(key)).toBe(key.slice(0, 8));
  });
});
