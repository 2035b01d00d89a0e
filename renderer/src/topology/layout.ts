import type { TopologyNode } from '../api/types.ts';

export interface PlacedNode {
  node: TopologyNode;
  /** Centre of the node's box. */
  x: number;
  /** Top of the node's box. */
  y: number;
  depth: number;
  parent: PlacedNode | null;
  /** True for a leaf listed in a column under its parent rather than in a row beside its siblings. */
  stacked: boolean;
}

export interface TreeGeometry {
  /** Box size. */
  nodeWidth: number;
  nodeHeight: number;
  /** Horizontal distance between neighbouring columns. */
  slot: number;
  /** Vertical distance between levels. */
  row: number;
  /** Vertical distance between leaves stacked in one column. */
  stackedRow: number;
  /** How far right of their parent stacked leaves sit, to leave room for the connector. */
  stackIndent: number;
}

/** A parent with at least this many children, all leaves, lists them in one column. */
const STACK_FROM = 3;

/**
 * A tidy tree layout in pixels: columns left to right, each parent centred over its children, depth
 * setting the row. A master's many leaf children (the usual shape: viewers under a relay) are listed
 * in one column under it, like an org chart, so twenty nodes fit a window instead of a 3000 px row.
 * Good for trees of a few dozen nodes, with no dependencies.
 */
export function layoutTree(root: TopologyNode, geometry: TreeGeometry): PlacedNode[] {
  const placed: PlacedNode[] = [];
  let nextColumn = 0;
  const visit = (node: TopologyNode, depth: number, y: number, parent: PlacedNode | null): PlacedNode => {
    const self: PlacedNode = { node, x: 0, y, depth, parent, stacked: false };
    placed.push(self);
    const children = node.children;
    if (children.length === 0) {
      self.x = nextColumn++ * geometry.slot;
    } else if (children.length >= STACK_FROM && children.every((child) => child.children.length === 0)) {
      self.x = nextColumn++ * geometry.slot;
      children.forEach((child, i) => {
        placed.push({
          node: child,
          x: self.x + geometry.stackIndent,
          y: y + geometry.row + i * geometry.stackedRow,
          depth: depth + 1,
          parent: self,
          stacked: true,
        });
      });
    } else {
      const placedChildren = children.map((child) => visit(child, depth + 1, y + geometry.row, self));
      self.x = (placedChildren[0]!.x + placedChildren.at(-1)!.x) / 2;
    }
    return self;
  };
  visit(root, 0, 0, null);
  return placed;
}

/** The bounding box of a layout, boxes included. */
export function layoutBounds(
  placed: readonly PlacedNode[],
  geometry: TreeGeometry,
): { minX: number; width: number; height: number } {
  const minX = Math.min(...placed.map((p) => p.x)) - geometry.nodeWidth / 2;
  const maxX = Math.max(...placed.map((p) => p.x)) + geometry.nodeWidth / 2;
  const maxY = Math.max(...placed.map((p) => p.y)) + geometry.nodeHeight;
  return { minX, width: maxX - minX, height: maxY };
}
