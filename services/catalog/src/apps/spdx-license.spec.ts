import { describe, expect, it } from '@jest/globals';
import { isSpdxExpression } from './spdx-license.js';

describe('SPDX license expressions', () => {
  it('accepts license ids and expressions', () => {
    for (const good of [
      'MIT',
      'AGPL-3.0-only',
      'Apache-2.0 OR MIT',
      'GPL-2.0-or-later WITH Classpath-exception-2.0',
    ])
      expect(isSpdxExpression(good)).toBe(true);
  });

  it('refuses made-up ids and free text', () => {
    for (const bad of ['', 'Proprietary', 'MIT license', 'GPL', 'MIT OR'])
      expect(isSpdxExpression(bad)).toBe(false);
  });
});
