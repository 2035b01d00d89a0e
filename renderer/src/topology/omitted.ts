/**
 * Words for the nodes a topology leaves out. A node past the protocol's bounds (10,000 nodes, 32
 * levels) cuts the tree breadth-first, and each listed node says how many below it are missing.
 */

/** `+9,990`: short enough to sit beside a node's name (what a cut or folded node hides). */
export function plusCount(omitted: number): string {
  return `+${omitted.toLocaleString('en-US')}`;
}

/** `+9,990 more, not listed`: for the outline's row and the graph's tooltip. */
export function omittedLabel(omitted: number): string {
  return `${plusCount(omitted)} more, not listed`;
}
