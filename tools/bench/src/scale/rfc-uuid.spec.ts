import { z } from 'zod';
import { md5Uuid } from '../close-fixtures.js';
import { asRfcUuid } from './rfc-uuid.js';

describe('asRfcUuid', () => {
  it('makes md5 ids valid v4 UUIDs of the same length, keeping every other digit', () => {
    for (let index = 0; index < 200; index += 1) {
      const id = md5Uuid(`bench-subscriber-${index}`);
      const rfc = asRfcUuid(id);
      expect(z.uuid().safeParse(rfc).success).toBe(true);
      expect(rfc).toHaveLength(id.length);
      expect([...rfc].filter((digit, at) => digit !== id[at]).length).toBeLessThanOrEqual(2);
    }
  });

  it('leaves a v4 UUID as it is', () => {
    expect(asRfcUuid('0190f0a2-7b1c-4d2e-9f00-123456789abc')).toBe('0190f0a2-7b1c-4d2e-9f00-123456789abc');
  });

  it('refuses what is not a UUID', () => {
    expect(() => asRfcUuid('not-a-uuid')).toThrow('not a lower-case UUID');
  });
});
