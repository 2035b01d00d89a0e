import type { NodeStats } from '../shared/api-types.js';
import { errorMessage } from '../util/errors.js';

/** Deeper than any tree the protocol lets a node describe (32 levels): a bound on a looping chain. */
const MAX_HOPS = 32;

/** A node's address with its CURVE key, so a joiner need not ask for it; the bare address from an older node. */
export function keyedAddress(stats: Pick<NodeStats, 'address' | 'key'>): string {
  return stats.key === undefined ? stats.address : `${stats.address}#${stats.key}`;
}

/** How the caller asks a node for its `stats` (the CLI with its own client, a node with its own). */
export type AskStats = (address: string) => Promise<NodeStats>;

/**
 * The nodes a link starts from: the asked node first, then the source at the root of its chain of
 * masters, each with its key. The source is found with `stats` alone (each node names its
 * `currentMaster`), so no new message is needed. A master on the way that does not answer leaves
 * the link with the asked node only, and `onGap` says why; the link still works.
 *
 * Shared by `peerstreamer link` and a node building a link for its own player, so both name the
 * same nodes; the network is the caller's (`askStats`), which keeps this module off core/net.
 */
export async function linkPeers(
  asked: NodeStats,
  askStats: AskStats,
  onGap: (why: string) => void,
): Promise<string[]> {
  const peers = [keyedAddress(asked)];
  if (asked.role === 'source') return peers;
  const seen = new Set([asked.address]);
  let above = asked.currentMaster;
  if (above === null) onGap(`${asked.address} is not registered with a master just now`);
  for (let hop = 0; above !== null && hop < MAX_HOPS; hop++) {
    if (seen.has(above)) {
      onGap(`the chain of masters above ${asked.address} loops at ${above}`);
      return peers;
    }
    seen.add(above);
    let stats: NodeStats;
    try {
      stats = await askStats(above);
    } catch (error) {
      onGap(`${above}, a master above ${asked.address}, did not answer (${errorMessage(error)})`);
      return peers;
    }
    if (stats.role === 'source') return [...peers, keyedAddress(stats)];
    if (stats.currentMaster === null)
      onGap(`${above}, a master above ${asked.address}, is not registered with its own master just now`);
    above = stats.currentMaster;
  }
  if (above !== null) onGap(`the chain of masters above ${asked.address} is deeper than ${MAX_HOPS}`);
  return peers;
}
