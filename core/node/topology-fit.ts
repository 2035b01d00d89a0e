/**
 * A topology tree cut to what one `topology-ok` may carry. Past the protocol's bounds (nodes, depth,
 * and the index budget shared by every node's `chunks`) the reply would fail its own validation and
 * the asker would get INTERNAL instead of a tree; cut here, it gets the tree's top and a count of
 * what is missing.
 */
import { countIndexes } from '../protocol/inventory.js';
import { MAX_INVENTORY_INDEXES, MAX_TOPOLOGY_DEPTH, MAX_TOPOLOGY_NODES } from '../protocol/limits.js';
import type { WireTopologyNode } from '../protocol/messages.js';

export interface TopologyLimits {
  /** Nodes listed in all, the root included. */
  nodes: number;
  /** Levels listed, the root being level 1 (as the reply's reader counts them). */
  depth: number;
  /** Chunk indexes across every listed node's `chunks`. */
  indexes: number;
}

/** What a `topology-ok` accepts (core/protocol/replies.ts checks the same bounds). */
export const WIRE_TOPOLOGY_LIMITS: Readonly<TopologyLimits> = {
  nodes: MAX_TOPOLOGY_NODES,
  depth: MAX_TOPOLOGY_DEPTH,
  indexes: MAX_INVENTORY_INDEXES,
};

interface Queued {
  from: WireTopologyNode;
  copy: WireTopologyNode;
  depth: number;
}

/**
 * The tree within `limits`: the longest prefix of its nodes in breadth-first order that fits, each
 * listed node carrying in `omitted` how many of the nodes below it were left out (with what they
 * had already left out). Breadth-first, because the top of a tree is what a person reads it for
 * (the source, its masters, who hangs under whom) and what failover depends on; depth-first would
 * show one branch to its leaves and drop whole masters beside it. A prefix, so the cut is one line
 * across the tree: no node is listed while one nearer the root, or before it on its level, is not.
 *
 * The root is always listed: a reply needs one. Every node of the input is either listed or counted
 * in the `omitted` of its nearest listed ancestor, so listed + the sum of `omitted` is the input's
 * size (its own `omitted` included). A tree already within limits comes back equal to itself.
 */
export function fitTopology(
  tree: WireTopologyNode,
  limits: Readonly<TopologyLimits> = WIRE_TOPOLOGY_LIMITS,
): WireTopologyNode {
  let nodesLeft = limits.nodes - 1;
  let indexesLeft = limits.indexes - countIndexes(tree.chunks ?? []);
  let full = false;
  const root = shallowCopy(tree);
  const queue: Queued[] = [{ from: tree, copy: root, depth: 1 }];
  for (let next = 0; next < queue.length; next++) {
    const { from, copy, depth } = queue[next]!;
    for (const child of from.children) {
      const indexes = countIndexes(child.chunks ?? []);
      full ||= depth >= limits.depth || nodesLeft <= 0 || indexes > indexesLeft;
      if (full) {
        copy.omitted = (copy.omitted ?? 0) + treeSize(child);
        continue;
      }
      nodesLeft -= 1;
      indexesLeft -= indexes;
      const listed = shallowCopy(child);
      copy.children.push(listed);
      queue.push({ from: child, copy: listed, depth: depth + 1 });
    }
  }
  return root;
}

/** The node without its children (filled in as they are listed); what it had left out stays. */
function shallowCopy(node: WireTopologyNode): WireTopologyNode {
  return { ...node, children: [] };
}

/** Nodes in a subtree, counting those it already left out. A loop, not recursion: any depth. */
function treeSize(node: WireTopologyNode): number {
  let size = 0;
  const stack = [node];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    size += 1 + (top.omitted ?? 0);
    for (const child of top.children) stack.push(child);
  }
  return size;
}
