import { formatTable } from './text-table.js';

describe('formatTable', () => {
  it('right-aligns every column to its widest cell', () => {
    expect(
      formatTable(
        ['events', 'p50 ms'],
        [
          ['5,000', '12.5'],
          ['20,000', '7.0'],
        ],
      ),
    ).toEqual(['events  p50 ms', ' 5,000    12.5', '20,000     7.0']);
  });

  it('pads missing cells', () => {
    expect(formatTable(['a', 'b'], [['1']])).toEqual(['a  b', '1   ']);
  });
});
