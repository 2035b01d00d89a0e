import { beforeAll, describe, expect, it } from 'vitest';
import { toApiTopology } from '../../core/node/api-topology.js';
import type { WireTopologyNode } from '../../core/protocol/messages.js';
import type { TopologyNode } from '../../core/shared/api-types.js';
import { MemoryChunkStore } from '../../core/store/memory-chunk-store.js';

const wire = (name: string, level: number, extra: Partial<WireTopologyNode> = {}): WireTopologyNode => ({
  name,
  address: `tcp://10.0.0.${level + 1}:7000`,
  role: 'child',
  level,
  children: [],
  ...extra,
});

describe('toApiTopology', () => {
  const tree = wire('source', 0, {
    children: [
      wire('mit', 1, {
        chunks: [{ video: 'movie', indexes: [0, 1] }],
        children: [wire('alice', 2, { chunks: [{ video: 'movie', indexes: [1] }] })],
        omitted: 3,
      }),
      // Its children were all cut from the reply: it has some all the same.
      wire('harvard', 1, { omitted: 40 }),
    ],
    omitted: 7,
  });
  let api: TopologyNode;
  beforeAll(async () => {
    // alice holds more than mit last heard from her.
    const store = new MemoryChunkStore();
    for (const index of [1, 2, 3]) await store.putChunk('movie', index, new Uint8Array([index]));
    api = toApiTopology(tree, { name: 'alice', store });
  });

  it('carries what a cut tree left out, where it was left out', () => {
    expect(api.omitted).toBe(7);
    expect(api.children.map((child) => child.omitted)).toEqual([3, 40]);
    expect(api.children[0]!.children[0]).not.toHaveProperty('omitted');
  });

  it('calls a node whose children were all left out a master, not a child', () => {
    expect(api.children.map((child) => child.role)).toEqual(['master', 'master']);
    expect(api.children[0]!.children[0]!.role).toBe('child');
  });

  it('marks this node and reads its chunks from its own store', () => {
    const alice = api.children[0]!.children[0]!;
    expect(alice.self).toBe(true);
    expect(alice.chunks).toEqual({ movie: [1, 2, 3] });
    expect(api.children[0]!.chunks).toEqual({ movie: [0, 1] });
  });
});
