import { describe, expect, it } from 'vitest';
import { closest, editDistance } from '../../core/cli/suggest.js';

describe('editDistance', () => {
  it.each<[string, string, number]>([
    ['play', 'play', 0],
    ['plya', 'play', 1],
    ['nmae', 'name', 1],
    ['pla', 'play', 1],
    ['playy', 'play', 1],
    ['stst', 'stats', 2],
    ['', 'ls', 2],
    ['topology', 'ls', 7],
  ])('%s -> %s is %i', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});

describe('closest', () => {
  const commands = [
    'add',
    'ls',
    'export',
    'verify',
    'import-legacy',
    'node',
    'play',
    'stats',
    'topology',
    'demo',
  ];

  it.each<[string, string]>([
    ['plya', 'play'],
    ['PLAY', 'play'],
    ['lss', 'ls'],
    ['topolgy', 'topology'],
    ['exprot', 'export'],
    ['veryfi', 'verify'],
    ['import', 'import-legacy'],
  ])('%s -> %s', (typed, expected) => {
    expect(closest(typed, commands)).toBe(expected);
  });

  it.each(['xyzzy', 'q', 'list', 'serve', 'de'])('suggests nothing for %s, which is no slip', (typed) => {
    expect(closest(typed, commands)).toBeUndefined();
  });

  it('prefers the nearer candidate, and the first listed on a tie', () => {
    expect(closest('jsn', ['json', 'js'])).toBe('json');
    expect(closest('nod', ['node', 'now'])).toBe('node');
  });

  it('takes a word that begins exactly one candidate as that candidate, not one that begins several', () => {
    expect(closest('from', ['store', 'from-chunk', 'output'])).toBe('from-chunk');
    expect(closest('chunk', ['chunk-duration', 'chunk-size'])).toBeUndefined();
  });
});
