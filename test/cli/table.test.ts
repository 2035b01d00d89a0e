import { describe, expect, it } from 'vitest';
import { renderTable } from '../../core/cli/table.js';

describe('renderTable', () => {
  it('pads each column to its widest cell, two spaces apart, with no trailing spaces', () => {
    const text = renderTable(
      ['NAME', 'KIND', 'PINNED'],
      [
        ['a long name', 'fmp4', 'yes'],
        ['b', 'legacy', 'no'],
      ],
    );
    expect(text).toBe(
      ['NAME         KIND    PINNED', 'a long name  fmp4    yes', 'b            legacy  no', ''].join('\n'),
    );
  });

  it('is just the header when there are no rows', () => {
    expect(renderTable(['NAME', 'KIND'], [])).toBe('NAME  KIND\n');
  });
});
