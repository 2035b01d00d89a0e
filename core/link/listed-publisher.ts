/**
 * The publisher a link for `video` names, read from a node's `list-videos` reply. A link's key is
 * what every node that follows it trusts, so a video without one cannot be shared this way: saying
 * so here beats a link that every player would refuse.
 */
import { PeerStreamerError } from '../util/errors.js';

/** A listed video as `list-videos` or a node's own library names it: its publisher, if signed. */
export interface ListedVideo {
  name: string;
  publisher?: string | null | undefined;
}

export function listedPublisher(video: string, videos: readonly ListedVideo[], address: string): string {
  const listed = videos.find((entry) => entry.name === video);
  if (listed === undefined) {
    throw new PeerStreamerError(
      'VIDEO_NOT_FOUND',
      `No video ${JSON.stringify(video)} at ${address} (nor up its chain of masters). Names are case-sensitive; see the list with: peerstreamer ls --from ${address}`,
      { video, address },
    );
  }
  if (listed.publisher === undefined || listed.publisher === null) {
    // The code every player would refuse it with: an unsigned manifest is one no link can vouch for.
    throw new PeerStreamerError(
      'UNTRUSTED_MANIFEST',
      `${JSON.stringify(video)} at ${address} is unsigned (no publisher key), and a link carries the key its players trust. Add the file again on the source (\`peerstreamer add <file> --store <its store> --name ${video} --replace\`), which signs it, then ask for the link again.`,
      { video, address },
    );
  }
  return listed.publisher;
}
