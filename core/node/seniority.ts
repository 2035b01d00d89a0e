/**
 * Which of two nodes belongs higher in the tree, by how long each has been up and how many children
 * each takes (issue 11 §2, docs/ARCHITECTURE.md "Old nodes drift up"): the one rule a drifting child
 * (drift-up.ts) and a full master taking it in place of a younger child (master-service.ts) share.
 */

/** What a node says of itself, in `register` and (of a master) in `register-ok` and `ping-ok`. */
export interface Standing {
  /** How long it has been up, ms. */
  uptimeMs: number;
  /** Its --max-children; undefined: no limit. */
  maxChildren?: number | undefined;
}

/**
 * How much longer than another a node must have been up to pass it. A ratio, because with the
 * heavy-tailed session lengths P2P streaming studies find (roughly Pareto), a node's expected time
 * left grows in proportion to the time it has stayed: a node up 10 min will likely outlast one up
 * 1 min, while 61 min against 60 is noise. So two nodes never pass each other in turn.
 */
const AGE_RATIO = 1.25;
/** Plus this: an uptime read from a message is as of its sending, a one-way trip earlier. */
const AGE_MARGIN_MS = 2_000;

/**
 * Whether `node` outranks `other`: up at least 1.25 times as long (and 2 s), and taking at least as
 * many children, so the levels it moves into lose no room.
 */
export function outranks(node: Standing, other: Standing): boolean {
  if (node.uptimeMs < other.uptimeMs * AGE_RATIO + AGE_MARGIN_MS) return false;
  return (node.maxChildren ?? Infinity) >= (other.maxChildren ?? Infinity);
}
