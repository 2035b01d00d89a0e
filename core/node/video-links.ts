/**
 * Links as a node's own player needs them: the link to a video this node lists (what
 * `peerstreamer link --from <this node>` would print), and what the node makes of a link pasted or
 * clicked in its player. The CLI and the node share core/link's parts, so both build the same link.
 */
import { linkPeers } from '../link/link-peers.js';
import { listedPublisher, type ListedVideo } from '../link/listed-publisher.js';
import { formatVideoLink, parseVideoLink, type VideoLink } from '../link/video-link.js';
import type { LinkCheck, NodeStats } from '../shared/api-types.js';
import { errorMessage } from '../util/errors.js';
import type { PeerNode } from './peer-node.js';

/** A master above that does not answer this soon is left out of the link, which still works. */
const MASTER_STATS_MS = 3_000;

/** The link to `name`: its publisher's key, this node's keyed address, then the source's when known. */
export async function nodeVideoLink(node: PeerNode, name: string): Promise<string> {
  const stats = node.stats();
  const publisher = listedPublisher(name, await node.library.list(), stats.address);
  const askStats = async (address: string): Promise<NodeStats> => {
    const { reply } = await node.client.request(address, { type: 'stats' }, { timeoutMs: MASTER_STATS_MS });
    return reply.stats as unknown as NodeStats;
  };
  const peers = await linkPeers(stats, askStats, (why) =>
    node.logger.info({ video: name, why }, 'the link names only this node'),
  );
  return formatVideoLink({ publisher, video: name, peers });
}

/** What a node knows that decides whether its player can open a link's video without joining. */
export interface LinkFacts {
  /** The publisher the node trusts (stats' trust.publisher), if any. */
  trusted: string | null;
  /** A source, or a node registered with a master: it is in the trusted publisher's swarm. */
  inSwarm: boolean;
  listed: readonly ListedVideo[];
}

/** Whether a read link's video plays here as the node stands, or needs its swarm joined first. */
export function checkLink(link: VideoLink, facts: LinkFacts): LinkCheck {
  const listed = facts.listed.find((video) => video.name === link.video);
  const here = (facts.trusted === link.publisher && facts.inSwarm) || listed?.publisher === link.publisher;
  return { ...link, here };
}

/**
 * Reads `text` as a link (INVALID_ARGUMENT naming the wrong part, before anything is asked) and
 * checks it against the node's own facts.
 */
export async function nodeLinkCheck(node: PeerNode, text: string): Promise<LinkCheck> {
  const link = parseVideoLink(text);
  const stats = node.stats();
  let listed: ListedVideo[] = [];
  try {
    listed = await node.library.list();
  } catch (error) {
    // Without the master's list the trust pin alone decides; the player then asks for the video itself.
    node.logger.debug({ error: errorMessage(error) }, 'library not listed for a link check');
  }
  return checkLink(link, {
    trusted: stats.trust?.publisher ?? null,
    inSwarm: stats.role === 'source' || stats.currentMaster !== null,
    listed,
  });
}
