/**
 * `topology` on a tree past the protocol's bounds answers with a cut tree and a count, not INTERNAL.
 * Each node answers from its real ChildRegistry with the node's own buildSubtree, over the in-memory
 * network, whose replies go through the real codec: what the asker gets has passed the reply's
 * validation, as over ZeroMQ. Only a node's level comes from a stand-in for its MasterLink.
 */
import { describe, expect, it } from 'vitest';
import { MemoryNetwork } from '../../core/net/memory-network.js';
import type { MemoryHost } from '../../core/net/memory-host.js';
import { PeerHealth } from '../../core/net/peer-health.js';
import { ChildRegistry } from '../../core/node/child-registry.js';
import { buildSubtree, type SubtreeSources } from '../../core/node/inspection.js';
import { MAX_TOPOLOGY_DEPTH, MAX_TOPOLOGY_NODES } from '../../core/protocol/limits.js';
import type { WireTopologyNode } from '../../core/protocol/messages.js';
import { MemoryChunkStore } from '../../core/store/memory-chunk-store.js';
import { seededRandom } from '../../core/util/random.js';
import { VirtualClock } from '../../core/util/virtual-clock.js';

const address = (i: number): string => `tcp://10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:7000`;

class Tree {
  readonly clock = new VirtualClock();
  readonly network = new MemoryNetwork({ clock: this.clock, random: seededRandom(1) });
  private readonly registries = new Map<string, ChildRegistry>();

  /** A node answering `topology` as PeerNode does; `level` 0 is the source. */
  node(name: string, at: string, level: number): MemoryHost {
    const host = this.network.host(at);
    const registry = new ChildRegistry(new PeerHealth());
    this.registries.set(at, registry);
    const sources: SubtreeSources = {
      name,
      address: at,
      registry,
      link: level === 0 ? null : { ownLevel: () => level },
      store: new MemoryChunkStore(),
    };
    host.handle('topology', async () => ({ reply: { tree: await buildSubtree(sources, host) } }));
    return host;
  }

  /** Registers `child` (by name and address) with the master at `master`, as its `register` would. */
  register(master: string, name: string, at: string): void {
    this.registries.get(master)!.register({
      name,
      address: at,
      role: 'child',
      seeding: true,
      chunks: [],
      capacity: { maxInFlight: 4, uploadBytesPerSecond: 0, storeBytes: 0 },
    });
  }

  /** Asks the node at `at` for its topology from another host, running virtual time until it answers. */
  async ask(at: string): Promise<WireTopologyNode> {
    const asker = this.network.host('tcp://192.168.0.1:7000');
    let answer: { tree: WireTopologyNode } | undefined;
    let failure: unknown;
    asker.request(at, { type: 'topology' }, { timeoutMs: 5_000 }).then(
      ({ reply }) => (answer = reply),
      (error: unknown) => (failure = error),
    );
    await this.clock.runUntil(() => answer !== undefined || failure !== undefined, 10_000);
    if (failure !== undefined) throw failure;
    if (answer === undefined) throw new Error('no topology reply within 10 s of virtual time');
    return answer.tree;
  }
}

function all(tree: WireTopologyNode): WireTopologyNode[] {
  const nodes = [tree];
  for (let i = 0; i < nodes.length; i++) nodes.push(...nodes[i]!.children);
  return nodes;
}

const omittedIn = (tree: WireTopologyNode): number => all(tree).reduce((sum, n) => sum + (n.omitted ?? 0), 0);

describe('topology past its bounds', () => {
  it(`a source with more than ${MAX_TOPOLOGY_NODES} children answers with ${MAX_TOPOLOGY_NODES} nodes and a count`, async () => {
    const tree = new Tree();
    tree.node('source', address(0), 0);
    const children = MAX_TOPOLOGY_NODES + 10;
    // Registered, but gone: each is listed from the registry once its own answer times out.
    for (let i = 1; i <= children; i++) tree.register(address(0), `child-${i}`, address(i));
    const answer = await tree.ask(address(0));
    expect(answer.name).toBe('source');
    expect(all(answer)).toHaveLength(MAX_TOPOLOGY_NODES);
    expect(answer.omitted).toBe(children + 1 - MAX_TOPOLOGY_NODES);
  });

  it(`a chain deeper than ${MAX_TOPOLOGY_DEPTH} levels answers with ${MAX_TOPOLOGY_DEPTH} levels and a count`, async () => {
    const tree = new Tree();
    const length = MAX_TOPOLOGY_DEPTH + 8;
    for (let i = 0; i < length; i++) {
      tree.node(`n${i}`, address(i), i);
      if (i > 0) tree.register(address(i - 1), `n${i}`, address(i));
    }
    const answer = await tree.ask(address(0));
    const listed = all(answer);
    expect(listed.map((n) => n.name)).toEqual(Array.from({ length: MAX_TOPOLOGY_DEPTH }, (_, i) => `n${i}`));
    // Each node cut what hung below the 32nd level of its own subtree; the counts carried up.
    expect(listed.at(-1)!.omitted).toBe(length - MAX_TOPOLOGY_DEPTH);
    expect(omittedIn(answer)).toBe(length - MAX_TOPOLOGY_DEPTH);
    // The last one listed has children, left out: still a master.
    expect(listed.at(-1)!.role).toBe('master');
  });
});
