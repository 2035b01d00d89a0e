import type { TopologyNode } from '../api/types.ts';

export interface PlacedNode {
  node: TopologyNode;
  x: number;
  y: number;
  depth: number;
  parent: PlacedNode | null;
}

/**
 * A tidy tree layout: leaves take consecutive slots left to right, each parent sits centred over its
 * children, and depth sets the row. Good enough for trees of a few dozen nodes and has no dependencies.
 */
export function layoutTree(root: TopologyNode, slotWidth: number, rowHeight: number): PlacedNode[] {
  const placed: PlacedNode[] = [];
  let nextSlot = 0;
  const visit = (node: TopologyNode, depth: number, parent: PlacedNode | null): PlacedNode => {
    const self: PlacedNode = { node, x: 0, y: depth * rowHeight, depth, parent };
    placed.push(self);
    const children = node.children.map((child) => visit(child, depth + 1, self));
    if (children.length === 0) self.x = nextSlot++ * slotWidth;
    else self.x = (children[0]!.x + children.at(-1)!.x) / 2;
    return self;
  };
  visit(root, 0, null);
  return placed;
}
