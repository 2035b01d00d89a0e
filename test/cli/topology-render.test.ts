import { describe, expect, it } from 'vitest';
import { renderTree } from '../../core/cli/commands/topology.js';
import type { WireTopologyNode } from '../../core/protocol/messages.js';

const node = (name: string, level: number, extra: Partial<WireTopologyNode> = {}): WireTopologyNode => ({
  name,
  address: `tcp://10.0.0.${level + 1}:7000`,
  role: level === 0 ? 'source' : 'master',
  level,
  children: [],
  ...extra,
});

describe('peerstreamer topology', () => {
  it('says where a tree cut to the reply’s bounds left nodes out, and how many', () => {
    const tree = node('source', 0, {
      children: [
        node('mit', 1, { children: [node('alice', 2, { role: 'child' })], omitted: 3 }),
        node('harvard', 1, { omitted: 9_000 }),
      ],
    });
    expect(renderTree(tree).split('\n')).toEqual([
      'source (source, level 0) tcp://10.0.0.1:7000',
      '├── mit (master, level 1) tcp://10.0.0.2:7000',
      '│   ├── alice (child, level 2) tcp://10.0.0.3:7000',
      '│   └── … 3 more below, not listed',
      '└── harvard (master, level 1) tcp://10.0.0.2:7000',
      '    └── … 9,000 more below, not listed',
      '',
    ]);
  });

  it('draws a whole tree as before, with no count', () => {
    const tree = node('source', 0, { children: [node('mit', 1, { role: 'child' })] });
    expect(renderTree(tree)).toBe(
      'source (source, level 0) tcp://10.0.0.1:7000\n└── mit (child, level 1) tcp://10.0.0.2:7000\n',
    );
  });
});
