/**
 * Reading the tree a source reports (`topology`) for what the join-by-link scenario checks: where
 * each node landed, who masters whom, how deep it goes. The bed asks only the source: NATed hosts
 * cannot be dialled from the test process, but they appear in their masters' branches.
 */
import type { WireTopologyNode } from '../../core/protocol/messages.js';

export function namesIn(tree: WireTopologyNode): string[] {
  return [tree.name, ...tree.children.flatMap(namesIn)];
}

/** Each node's master by name (the root has none). */
export function mastersIn(tree: WireTopologyNode): Map<string, string> {
  const masters = new Map<string, string>();
  const walk = (node: WireTopologyNode): void => {
    for (const child of node.children) {
      masters.set(child.name, node.name);
      walk(child);
    }
  };
  walk(tree);
  return masters;
}

/** Each node's children by name, the leaves included (with none). */
export function childrenIn(tree: WireTopologyNode): Map<string, string[]> {
  const children = new Map<string, string[]>();
  const walk = (node: WireTopologyNode): void => {
    children.set(
      node.name,
      node.children.map((child) => child.name),
    );
    node.children.forEach(walk);
  };
  walk(tree);
  return children;
}

/** Levels below the root: 0 for a root alone. */
export function depthOf(tree: WireTopologyNode): number {
  return tree.children.length === 0 ? 0 : 1 + Math.max(...tree.children.map(depthOf));
}

/** Nodes the reply left out to stay in its bounds: a tree this small must come whole. */
export function omittedIn(tree: WireTopologyNode): number {
  return (tree.omitted ?? 0) + tree.children.reduce((sum, child) => sum + omittedIn(child), 0);
}

/** One line per level, `1: p1 p2 p3 p4`: how the tree looked, for the run's report. */
export function levelsOf(tree: WireTopologyNode): string {
  const levels: string[][] = [];
  const walk = (node: WireTopologyNode, level: number): void => {
    (levels[level] ??= []).push(node.name);
    for (const child of node.children) walk(child, level + 1);
  };
  walk(tree, 0);
  return levels.map((names, level) => `  level ${level}: ${names.join(' ')}`).join('\n');
}
