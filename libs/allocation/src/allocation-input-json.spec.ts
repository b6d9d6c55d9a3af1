import { describe, expect, it } from '@jest/globals';
import { loadAllocationVectors } from '../test/allocation-vectors.js';
import { allocatePeriod } from './allocate-period.js';
import { toAllocationInputJson } from './allocation-input-json.js';
import { serializeAllocation } from './allocation-output.js';
import { parseAllocationInput } from './parse-allocation-input.js';

describe('the allocation input as JSON', () => {
  it.each(loadAllocationVectors().map((vector) => [vector.name, vector] as const))(
    '%s reads back to an input with the same allocation',
    (_name, vector) => {
      const parsed = parseAllocationInput(vector.input);
      if (!parsed.ok) throw new Error(`${vector.name}: ${parsed.error.path}: ${parsed.error.reason}`);
      const written = JSON.parse(JSON.stringify(toAllocationInputJson(parsed.input))) as unknown;
      const reread = parseAllocationInput(written);
      if (!reread.ok) throw new Error(`written back: ${reread.error.path}: ${reread.error.reason}`);
      expect(serializeAllocation(allocatePeriod(reread.input))).toBe(
        serializeAllocation(allocatePeriod(parsed.input)),
      );
      expect(toAllocationInputJson(reread.input)).toEqual(written);
    },
  );
});
