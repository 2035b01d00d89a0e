/**
 * A topology past the protocol's bounds is cut breadth-first to what a `topology-ok` carries, and
 * every node left out is counted at its nearest listed ancestor. Small limits show the rules; the
 * real ones show that the cut tree passes the reply's own validation, where the whole tree fails.
 */
import { describe, expect, it } from 'vitest';
import { fitTopology, type TopologyLimits } from '../../core/node/topology-fit.js';
import { decodeReply, encodeOkReply } from '../../core/protocol/codec.js';
import { MAX_TOPOLOGY_DEPTH, MAX_TOPOLOGY_NODES } from '../../core/protocol/limits.js';
import type { WireTopologyNode } from '../../core/protocol/messages.js';
import { WireProblem } from '../../core/protocol/problems.js';
import { seededRandom } from '../../core/util/random.js';

function node(name: string, children: WireTopologyNode[] = [], extra: Partial<WireTopologyNode> = {}) {
  const tree: WireTopologyNode = {
    name,
    address: null,
    role: children.length > 0 ? 'master' : 'child',
    level: 0,
    children,
    ...extra,
  };
  return tree;
}

const roomy: TopologyLimits = { nodes: 1_000, depth: 100, indexes: 1_000 };

/** Names in breadth-first order. */
function breadthFirst(tree: WireTopologyNode): string[] {
  const order: WireTopologyNode[] = [tree];
  for (let i = 0; i < order.length; i++) order.push(...order[i]!.children);
  return order.map((n) => n.name);
}

function all(tree: WireTopologyNode): WireTopologyNode[] {
  return [tree, ...tree.children.flatMap(all)];
}

const omittedIn = (tree: WireTopologyNode): number => all(tree).reduce((sum, n) => sum + (n.omitted ?? 0), 0);
const size = (tree: WireTopologyNode): number => all(tree).length + omittedIn(tree);

function depthOf(tree: WireTopologyNode): number {
  return 1 + Math.max(0, ...tree.children.map(depthOf));
}

function chain(length: number, name = 'n'): WireTopologyNode {
  let tree = node(`${name}${length - 1}`);
  for (let i = length - 2; i >= 0; i--) tree = node(`${name}${i}`, [tree]);
  return tree;
}

describe('fitTopology with small limits', () => {
  const wide = (): WireTopologyNode =>
    node('r', [
      node('a', [node('a1'), node('a2')]),
      node('b', [node('b1')]),
      node('c', [node('c1'), node('c2')]),
    ]);

  it('lists nodes breadth-first up to the node limit and counts the rest where they hang', () => {
    const fitted = fitTopology(wide(), { ...roomy, nodes: 5 });
    expect(breadthFirst(fitted)).toEqual(['r', 'a', 'b', 'c', 'a1']);
    const byName = new Map(all(fitted).map((n) => [n.name, n]));
    expect(byName.get('a')!.omitted).toBe(1);
    expect(byName.get('b')!.omitted).toBe(1);
    expect(byName.get('c')!.omitted).toBe(2);
    expect(byName.get('r')!.omitted).toBeUndefined();
    expect(size(fitted)).toBe(9);
  });

  it('stops at the depth limit, counting the levels below at the last one listed', () => {
    const fitted = fitTopology(chain(6), { ...roomy, depth: 3 });
    expect(breadthFirst(fitted)).toEqual(['n0', 'n1', 'n2']);
    expect(all(fitted).map((n) => n.omitted)).toEqual([undefined, undefined, 3]);
  });

  it('stops where the chunk lists would pass the index budget, and lists nobody after that one', () => {
    const indexes = (count: number) => [{ video: 'v', indexes: Array.from({ length: count }, (_, i) => i) }];
    const tree = node(
      'r',
      [node('a', [], { chunks: indexes(4) }), node('b', [], { chunks: indexes(5) }), node('c')],
      {
        chunks: indexes(3),
      },
    );
    const fitted = fitTopology(tree, { ...roomy, indexes: 10 });
    // c holds nothing and would fit, but listing it while b is left out would be no clean cut.
    expect(breadthFirst(fitted)).toEqual(['r', 'a']);
    expect(fitted.omitted).toBe(2);
    expect(fitted.children[0]!.chunks).toEqual(indexes(4));
  });

  it('keeps what a child already left out, and adds it to the count when that child is cut too', () => {
    const tree = node('r', [node('a', [node('a1', [], { omitted: 7 })], { omitted: 2 }), node('b')]);
    // A master whose children are all cut is still a master.
    const master = { role: 'master' } as const;
    expect(fitTopology(tree, { ...roomy, nodes: 3 })).toEqual(
      node('r', [node('a', [], { ...master, omitted: 2 + 1 + 7 }), node('b')], master),
    );
    expect(fitTopology(tree, { ...roomy, nodes: 2 })).toEqual(
      node('r', [node('a', [], { ...master, omitted: 10 })], { ...master, omitted: 1 }),
    );
  });

  it('always lists the root, however small the limit', () => {
    const fitted = fitTopology(wide(), { ...roomy, nodes: 1 });
    expect(fitted.children).toEqual([]);
    expect(fitted.omitted).toBe(8);
  });

  it('gives back a tree within its limits as it was', () => {
    expect(fitTopology(wide(), roomy)).toEqual(wide());
  });

  it('on random trees: a breadth-first prefix within every limit, with every node listed or counted', () => {
    const random = seededRandom(42);
    for (let run = 0; run < 200; run++) {
      const nodes: WireTopologyNode[] = [node('n0')];
      const count = 1 + Math.floor(random.next() * 60);
      for (let i = 1; i < count; i++) {
        const parent = nodes[Math.floor(random.next() * nodes.length)]!;
        const child = node(`n${i}`, [], random.next() < 0.1 ? { omitted: 3 } : {});
        parent.children.push(child);
        nodes.push(child);
      }
      const tree = nodes[0]!;
      const limits = {
        ...roomy,
        nodes: 1 + Math.floor(random.next() * 40),
        depth: 1 + Math.floor(random.next() * 8),
      };
      const fitted = fitTopology(tree, limits);
      const listed = breadthFirst(fitted);
      expect(listed.length).toBeLessThanOrEqual(limits.nodes);
      expect(depthOf(fitted)).toBeLessThanOrEqual(limits.depth);
      expect(listed).toEqual(breadthFirst(tree).slice(0, listed.length));
      expect(size(fitted)).toBe(size(tree));
    }
  });
});

describe('fitTopology with the protocol’s own limits', () => {
  const roundTrip = (tree: WireTopologyNode): WireTopologyNode => {
    const { reply } = decodeReply(encodeOkReply(1, 'topology', { tree }) as Buffer[]);
    return (reply as { tree: WireTopologyNode }).tree;
  };

  it(`cuts a tree of more than ${MAX_TOPOLOGY_NODES} nodes to a reply that validates, counting the rest`, () => {
    // The source, 50 masters, 200 children under each: 10,051 nodes.
    const tree = node(
      'source',
      Array.from({ length: 50 }, (_, m) =>
        node(
          `master-${m}`,
          Array.from({ length: 200 }, (_, c) =>
            node(`child-${m}-${c}`, [], { address: `tcp://10.0.${m}.${c}:7000` }),
          ),
        ),
      ),
    );
    // Whole, it is what used to come back as INTERNAL.
    expect(() => encodeOkReply(1, 'topology', { tree })).toThrow(WireProblem);
    const received = roundTrip(fitTopology(tree));
    expect(all(received)).toHaveLength(MAX_TOPOLOGY_NODES);
    expect(omittedIn(received)).toBe(51);
    // Every master is there; the last children of the last master are the ones left out.
    expect(received.children).toHaveLength(50);
    expect(received.children.at(-1)!.children).toHaveLength(200 - 51);
    expect(received.children.at(-1)!.omitted).toBe(51);
  });

  it(`cuts a tree deeper than ${MAX_TOPOLOGY_DEPTH} levels to a reply that validates, counting the rest`, () => {
    const tree = chain(40);
    expect(() => encodeOkReply(1, 'topology', { tree })).toThrow(WireProblem);
    const received = roundTrip(fitTopology(tree));
    expect(depthOf(received)).toBe(MAX_TOPOLOGY_DEPTH);
    const deepest = all(received).at(-1)!;
    expect(deepest.name).toBe(`n${MAX_TOPOLOGY_DEPTH - 1}`);
    expect(deepest.omitted).toBe(40 - MAX_TOPOLOGY_DEPTH);
  });

  it('cuts chunk lists past the shared 1,000,000-index budget to a reply that validates', () => {
    const holding = (name: string) =>
      node(name, [], { chunks: [{ video: 'v', indexes: Array.from({ length: 600_000 }, (_, i) => i) }] });
    const tree = node('source', [holding('a'), holding('b')]);
    expect(() => encodeOkReply(1, 'topology', { tree })).toThrow(WireProblem);
    const received = roundTrip(fitTopology(tree));
    expect(received.children.map((n) => n.name)).toEqual(['a']);
    expect(received.omitted).toBe(1);
  });
});
