/**
 * Opening a link someone shared, from the Open link field, a paste on the library, or (in the
 * desktop app) a click on a peerstreamer: link anywhere on the system. One path for all three: the
 * node reads the link and says whether its video plays here; if not, the desktop app joins the
 * link's swarm (as `node --join` would) and restarts the node; a plain browser cannot, and says so.
 */
import { api } from '../api/client.ts';
import { GatewayFailure } from '../api/gateway-error.ts';
import { desktopBridge, type DesktopBridge } from '../api/settings.ts';
import { hrefOf } from '../router.ts';
import { publisherLabel } from '../../../core/shared/publisher.js';

export type LinkState =
  | { kind: 'idle' }
  | { kind: 'opening' }
  /**
   * Joining moves this node to another swarm (its master and trusted publisher change, and it
   * restarts), and a web page can hand the app a link too: so the user says yes first.
   */
  | {
      kind: 'confirm-join';
      link: string;
      video: string | null;
      publisher: string | null;
      master: string | null;
    }
  | { kind: 'joining'; video: string | null }
  /** The link's swarm is not this node's, and only the desktop app can join it. */
  | { kind: 'needs-app'; video: string; publisher: string; link: string }
  | { kind: 'failed'; message: string };

/** Pasted text meant as a link (angle brackets, as mail clients wrap links, allowed). */
export function looksLikeLink(text: string): boolean {
  return /^\s*<?peerstreamer:/i.test(text);
}

/** Runs the open and reports each step through `report`; ends by going to the player or in a state that says why not. */
export async function openLink(
  text: string,
  report: (state: LinkState) => void,
  bridge: DesktopBridge | null = desktopBridge(),
): Promise<void> {
  const link = text.trim();
  report({ kind: 'opening' });
  try {
    const check = await api.checkLink(link);
    if (check.here) {
      report({ kind: 'idle' });
      window.location.hash = hrefOf({ view: 'watch', name: check.video });
    } else if (bridge === null) {
      report({ kind: 'needs-app', video: check.video, publisher: check.publisher, link });
    } else {
      const master = check.peers[0]?.replace(/#.*/, '') ?? null;
      report({ kind: 'confirm-join', link, video: check.video, publisher: check.publisher, master });
    }
  } catch (error) {
    // A bad link is the parser's 400, naming the part that is wrong. Any other failure means the node
    // could not say (it may be down or restarting): the desktop app can still join the link's swarm,
    // whose own parser then judges the link.
    if (bridge === null || (error instanceof GatewayFailure && error.status === 400)) {
      report({ kind: 'failed', message: messageOf(error) });
      return;
    }
    report({ kind: 'confirm-join', link, video: null, publisher: null, master: null });
  }
}

/** The user said yes: the app joins the link's swarm, restarts the node, and the player opens the video. */
export async function joinConfirmed(
  state: Extract<LinkState, { kind: 'confirm-join' }>,
  report: (state: LinkState) => void,
  bridge: DesktopBridge | null = desktopBridge(),
): Promise<void> {
  if (bridge === null) return;
  report({ kind: 'joining', video: state.video });
  const joined = await bridge.joinLink(state.link).catch((error: unknown) => ({
    ok: false as const,
    message: messageOf(error),
  }));
  if (!joined.ok) {
    report({ kind: 'failed', message: joined.message });
    return;
  }
  report({ kind: 'idle' });
  window.location.hash = hrefOf({ view: 'watch', name: joined.video });
}

/** How the confirm-join state asks. */
export function confirmJoinWords(state: Extract<LinkState, { kind: 'confirm-join' }>): string {
  const what = state.video === null ? 'this link’s video' : `“${state.video}”`;
  const whose = state.publisher === null ? '' : `, published by ${publisherLabel(state.publisher)},`;
  const where = state.master === null ? 'the link’s first node' : state.master;
  return `${what}${whose} is in another swarm. Join it? This node will register with ${where} instead of its current master and trust only that publisher's videos (Settings shows and can undo this).`;
}

/** How the needs-app state reads: the words and the command a browser user can run instead. */
export function needsAppWords(state: Extract<LinkState, { kind: 'needs-app' }>): string {
  return `“${state.video}” is published by ${publisherLabel(state.publisher)}, whose swarm this node is not in. Joining another swarm needs the PeerStreamer desktop app, or a node started with: peerstreamer node --join <link>`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
