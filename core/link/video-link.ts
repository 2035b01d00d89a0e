/**
 * A video's link: what a stranger needs to find a video and trust what it gets.
 *
 *   peerstreamer://<publisher key>/<video name>?peer=<address>&peer=<address>
 *
 * - The host part is the publisher's Ed25519 key, 52 characters of lower-case base32 (core/trust),
 *   a form that survives as a URL host: browsers and shells leave it alone, and its first 8
 *   characters are the fingerprint the UI shows beside the video.
 * - The path is the video's name, percent-encoded (a name never holds "/").
 * - Each `peer` is a node to start from (the source, then any long-lived masters), as a node's
 *   address: `tcp://host:port`, or `tcp://host:port#<CURVE key>` so no key has to be asked for on
 *   first contact. Percent-encoded as any query value (a key holds characters such as "#", "&" and
 *   "?"); a person typing `peer=tcp://host:port` by hand needs no encoding.
 *
 * A link is a capability to find, not to trust: its publisher key is what a node checks every
 * manifest against, so a link with a forged peer list still plays only the publisher's video.
 */
import { peerAddressProblem } from '../protocol/peer-key.js';
import { videoNameProblem } from '../shared/video-name.js';
import { publisherKeyProblem } from '../trust/publisher-key.js';
import { PeerStreamerError } from '../util/errors.js';

export const LINK_SCHEME = 'peerstreamer:';
/** Nodes a link names at most: a few to start from is all a joiner needs. */
export const MAX_LINK_PEERS = 8;
/** Longer than any valid link (52 + 200 bytes of name, percent-encoded, and 8 keyed addresses). */
export const MAX_LINK_CHARS = 4096;

export interface VideoLink {
  /** The publisher's key (base32, 52 characters). */
  publisher: string;
  video: string;
  /** Addresses to start from, in order: `tcp://host:port` or `tcp://host:port#<key>`. */
  peers: string[];
}

/** The link's text for `link` (valid parts; see videoLinkProblem for what is checked). */
export function formatVideoLink(link: VideoLink): string {
  const query = new URLSearchParams(link.peers.map((peer): [string, string] => ['peer', peer]));
  const search = link.peers.length > 0 ? `?${query.toString()}` : '';
  return `peerstreamer://${link.publisher}/${encodeURIComponent(link.video)}${search}`;
}

/** Why `link`'s parts would not make a link, or null. */
export function videoLinkProblem(link: VideoLink): string | null {
  const publisher = publisherKeyProblem(link.publisher);
  if (publisher !== null) return `the publisher key ${publisher}`;
  const video = videoNameProblem(link.video);
  if (video !== null) return `the video name ${JSON.stringify(link.video)} is not usable: ${video}`;
  if (link.peers.length === 0) return 'it names no node to start from';
  if (link.peers.length > MAX_LINK_PEERS)
    return `it names ${link.peers.length} nodes; at most ${MAX_LINK_PEERS}`;
  for (const [at, peer] of link.peers.entries()) {
    const problem = peerAddressProblem(peer);
    if (problem !== null) return `node ${at + 1} (${JSON.stringify(peer)}) is not an address: ${problem}`;
  }
  return null;
}

/**
 * Reads a link someone pasted or clicked. Throws INVALID_ARGUMENT naming the part that is wrong and
 * what to do; surrounding whitespace and angle brackets (as mail clients wrap links) are ignored.
 */
export function parseVideoLink(text: string): VideoLink {
  const trimmed = text.trim().replace(/^<(.*)>$/s, '$1');
  const shown = trimmed.length > 80 ? `${trimmed.slice(0, 77)}...` : trimmed;
  const refuse = (problem: string): never => {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `The link ${JSON.stringify(shown)} cannot be used: ${problem}. Copy the whole link again from where it was shared (it looks like peerstreamer://<publisher key>/<video>?peer=tcp://host:port).`,
      { link: shown },
    );
  };
  if (trimmed.length > MAX_LINK_CHARS) refuse(`it is longer than ${MAX_LINK_CHARS} characters`);
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return refuse('it is not a link');
  }
  if (url.protocol !== LINK_SCHEME) refuse(`it starts with "${url.protocol}//", not "peerstreamer://"`);
  if (url.username !== '' || url.password !== '' || url.port !== '') {
    refuse('its publisher key must stand alone after "peerstreamer://"');
  }
  if (url.hash !== '') refuse('it has a "#" part; a node key inside a peer address must be written %23');
  const segments = url.pathname.split('/').slice(1);
  if (segments.length !== 1 || segments[0] === '') refuse('it must name one video after the publisher key');
  let video: string;
  try {
    video = decodeURIComponent(segments[0]!);
  } catch {
    return refuse('its video name is not valid percent-encoding');
  }
  // Other query parts are left for later versions to add (hints a node may use); this one needs none.
  const link: VideoLink = { publisher: url.hostname, video, peers: url.searchParams.getAll('peer') };
  const problem = videoLinkProblem(link);
  if (problem !== null) refuse(problem);
  return link;
}
