/**
 * Joining a link's swarm from the desktop app: the settings `peerstreamer node --join <link>` would
 * give (first peer the master, second the supermaster, the link's key the trusted publisher), saved
 * like any settings change, which restarts the node with them.
 */
import { parseVideoLink, type VideoLink } from '../core/link/video-link.js';
import { joinPlacement } from '../core/link/join-placement.js';
import { errorMessage } from '../core/util/errors.js';
import type { JoinLinkResult, SaveSettingsResult } from './ipc/contract.js';

export async function joinLink(
  text: string,
  save: (patch: Record<string, unknown>) => Promise<SaveSettingsResult>,
): Promise<JoinLinkResult> {
  let link: VideoLink;
  try {
    link = parseVideoLink(text);
  } catch (error) {
    return { ok: false, message: errorMessage(error) };
  }
  // Settings keep a master and a supermaster: a link's further peers are for `node --join` only.
  const { master, supermaster, publisher } = joinPlacement(link);
  const saved = await save({ master, supermaster: supermaster ?? null, publisher });
  if (!saved.ok) {
    return {
      ok: false,
      message: `The link's nodes could not be set as this node's master: ${saved.message} Nothing was changed.`,
    };
  }
  if (saved.nodeProblem !== null) {
    return {
      ok: false,
      message: `The node was set to join the link's swarm but did not start: ${saved.nodeProblem} Open Settings to fix it.`,
    };
  }
  return { ok: true, video: link.video };
}
