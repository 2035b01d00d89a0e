import type { TopologyNode } from '../shared/api-types.js';
import type { WireTopologyNode } from '../protocol/messages.js';
import type { InventorySource } from '../store/inventory-source.js';

/** The node answering for the gateway: its name in the tree, and its store, which knows its chunks. */
export interface TopologySelf {
  name: string;
  store: Pick<InventorySource, 'heldChunks'>;
}

/**
 * A wire topology as the player reads it: chunks as a map, this node marked as `self` with what its
 * own store holds (fresher than anything its master reported), and the nodes a cut tree left out.
 */
export function toApiTopology(tree: WireTopologyNode, self: TopologySelf): TopologyNode {
  const own = tree.name === self.name;
  const chunks: Record<string, number[]> = {};
  if (own) {
    for (const { video, index } of self.store.heldChunks()) (chunks[video] ??= []).push(index);
  } else {
    for (const entry of tree.chunks ?? []) chunks[entry.video] = entry.indexes;
  }
  // A node whose children were all cut from the tree still has children.
  const omitted = tree.omitted ?? 0;
  return {
    name: tree.name,
    address: tree.address ?? '',
    role: tree.level === 0 ? 'source' : tree.children.length > 0 || omitted > 0 ? 'master' : 'child',
    self: own,
    alive: true,
    chunks,
    children: tree.children.map((child) => toApiTopology(child, self)),
    ...(omitted > 0 ? { omitted } : {}),
  };
}
