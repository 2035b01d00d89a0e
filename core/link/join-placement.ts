/**
 * What joining by a link sets, wherever it is done (`node --join`, the desktop app's Join and play):
 * the link's first node as the master, its second as the supermaster, the rest as fallbacks tried
 * last, and its publisher as the one key trusted. One rule, so the CLI and the app place a node alike.
 */
import type { VideoLink } from './video-link.js';

export interface JoinPlacement {
  master: string;
  supermaster: string | undefined;
  fallbacks: string[];
  publisher: string;
}

export function joinPlacement(link: VideoLink): JoinPlacement {
  const [master, supermaster, ...fallbacks] = link.peers;
  return { master: master!, supermaster, fallbacks, publisher: link.publisher };
}
