import type { Transport } from '../net/transport.js';
import type { RequestRouter } from '../net/handlers.js';
import type { ChunkStorage } from '../store/chunk-storage.js';
import type { UpstreamView } from '../stream/upstream-view.js';
import type { ManifestTrust } from '../stream/fetcher-options.js';
import type { LiveStreamStanding, PeerRef } from '../protocol/messages.js';
import { MAX_LIVE_VIEWER_STREAMS } from '../protocol/limits.js';
import type { LiveChunkEntry, LiveManifest, Manifest } from '../shared/manifest.js';
import { isLiveManifest } from '../trust/live-signature.js';
import { insideWindow } from '../trust/live-manifest-builder.js';
import { PeerStreamerError, errorMessage } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import type { LiveViewers } from './live-viewers.js';

/** Newest chunks one announcement carries: a child that missed a few catches up without asking. */
export const ANNOUNCED_CHUNKS = 4;
const ANNOUNCE_TIMEOUT_MS = 1_000;
/** How long an ended stream stays in heartbeat replies: its end reaches a child that missed it. */
const ENDED_KEPT_MS = 30_000;

export interface LiveRelayOptions {
  selfName: string;
  server: RequestRouter;
  transport: Transport;
  store: Pick<ChunkStorage, 'getManifest' | 'putManifest'>;
  /** The master in use: announcements are taken from it alone. */
  upstream: UpstreamView | null;
  /** Whose streams this node believes: the same check every fetched manifest passes. */
  trust: ManifestTrust;
  children: () => PeerRef[];
  /** This node's stored copy of a stream grew (or changed state) from an announcement. */
  onStored?: (manifest: LiveManifest) => void;
  /** Who watches: the count the source sends down, and what each node keeps of it. */
  viewers: LiveViewers;
  logger: Logger;
}

/**
 * A live stream's new chunks, pushed down the tree as they are made (issue 12 §2): the source
 * announces each stored chunk to its children (`announce-live`: the stream's signed header and its
 * newest chunks, each signed); a child checks the signatures against the publisher it trusts, grows
 * its own copy of the manifest if it holds one (a node watching or relaying the stream), and passes
 * the announcement on to its children at once, before it has the chunk: they ask it, and it relays.
 * No node polls. A child that missed more than an announcement carries asks its master for the
 * whole manifest instead. Each announcement also carries how many watch the stream, as the source
 * counts them (see LiveViewers): each node keeps the latest and passes it on unchanged.
 */
export class LiveRelay {
  /** Where each live stream that went through this node stands, for its children's heartbeats. */
  private readonly standings = new Map<string, LiveStreamStanding & { at: number }>();
  /** Streams whose manifest is being fetched after a heartbeat said this node's copy is behind. */
  private readonly catchingUp = new Set<string>();

  constructor(private readonly options: LiveRelayOptions) {
    options.server.handle('announce-live', (request) => {
      this.fromMaster(request.name, request.manifest, request.viewers);
      return { reply: {} };
    });
  }

  /**
   * Tells every child of the stream's newest chunks: `manifest` as it now stands, from this node, its
   * source, with how many watch it across the tree.
   */
  announce(manifest: LiveManifest): void {
    this.send(manifest, this.options.viewers.announcing(manifest.name));
  }

  /**
   * This node's live streams as its children's heartbeat replies carry them (`liveStreams`): the
   * newest chunk and the state of each stream announced through here, an ended one for a while
   * after its end, at most MAX_LIVE_VIEWER_STREAMS (the latest news first). Undefined when none.
   */
  standing(): Record<string, LiveStreamStanding> | undefined {
    const now = Date.now();
    for (const [video, standing] of this.standings) {
      if (standing.state !== 'live' && now - standing.at > ENDED_KEPT_MS) this.standings.delete(video);
    }
    if (this.standings.size === 0) return undefined;
    const latest = [...this.standings].sort(([, a], [, b]) => b.at - a.at).slice(0, MAX_LIVE_VIEWER_STREAMS);
    return Object.fromEntries(latest.map(([video, { newest, state }]) => [video, { newest, state }]));
  }

  /**
   * The master's live streams, on a heartbeat or report reply: any this node holds a copy of that is
   * behind (an announcement that could not reach it: a child behind a NAT, which its master cannot
   * dial, or one lost on the way) is fetched whole from the master and passed on down.
   */
  fromHeartbeat(master: PeerRef, streams: Readonly<Record<string, LiveStreamStanding>>): void {
    for (const [video, standing] of Object.entries(streams)) {
      const stored = this.options.store.getManifest(video);
      if (stored === undefined || !isLiveManifest(stored) || this.catchingUp.has(video)) continue;
      const newest = stored.chunks.at(-1)?.index ?? -1;
      if (standing.newest <= newest && standing.state === stored.live.state) continue;
      this.catchingUp.add(video);
      void this.catchUp(video, master).finally(() => this.catchingUp.delete(video));
    }
  }

  private async catchUp(video: string, master: PeerRef): Promise<void> {
    try {
      const manifest = await this.wholeManifest(video, master.address);
      const stored = this.options.store.getManifest(video);
      if (!isLiveManifest(manifest) || stored === undefined || !isLiveManifest(stored)) return;
      if (stored.live.stream === manifest.live.stream) {
        const storedNewest = stored.chunks.at(-1)?.index ?? -1;
        const newest = manifest.chunks.at(-1)?.index ?? -1;
        if (newest < storedNewest || (newest === storedNewest && manifest.live.state === stored.live.state))
          return;
      }
      this.options.store.putManifest(manifest);
      this.options.onStored?.(manifest);
      // No count with it: the next announcement from the master brings one.
      this.send(manifest, undefined);
    } catch (error) {
      this.options.logger.debug(
        { video, error: errorMessage(error) },
        'could not catch up a live stream after a heartbeat; the next one tries again',
      );
    }
  }

  private send(manifest: LiveManifest, viewers: number | undefined): void {
    const { selfName, transport, children, logger } = this.options;
    const newest = manifest.chunks.at(-1)?.index ?? -1;
    this.standings.set(manifest.name, { newest, state: manifest.live.state, at: Date.now() });
    const announced: LiveManifest = { ...manifest, chunks: manifest.chunks.slice(-ANNOUNCED_CHUNKS) };
    for (const child of children()) {
      transport
        .request(
          child.address,
          {
            type: 'announce-live',
            name: selfName,
            manifest: announced,
            ...(viewers === undefined ? {} : { viewers }),
          },
          { timeoutMs: ANNOUNCE_TIMEOUT_MS },
        )
        // A lost announcement costs that child a manifest fetch at the next one (a gap), not a chunk.
        .catch((error: unknown) =>
          logger.debug({ child: child.name, error: errorMessage(error) }, 'announce-live not delivered'),
        );
    }
  }

  /**
   * An announcement from `sender`: refused unless it is this node's master and the stream's
   * signatures hold under a publisher this node trusts; then the stored manifest grows and the
   * announcement goes on down.
   */
  private fromMaster(sender: string, announced: Manifest, viewers: number | undefined): void {
    const master = this.options.upstream?.current();
    if (master?.name !== sender) {
      throw new PeerStreamerError(
        'INVALID_ARGUMENT',
        `announce-live from ${JSON.stringify(sender)} refused: this node takes announcements only from its current master.`,
      );
    }
    if (!isLiveManifest(announced)) {
      throw new PeerStreamerError(
        'INVALID_ARGUMENT',
        `announce-live of ${JSON.stringify(announced.name)} refused: it is not a live stream's manifest.`,
      );
    }
    // Throws (and the announcement is answered with why) when its signatures or publisher fail.
    this.options.trust.accept(announced, master);
    if (viewers !== undefined) this.options.viewers.heardFromMaster(announced.name, viewers);
    void this.keep(announced, master.address);
    this.send(announced, viewers);
  }

  /** Grows the stored copy of the stream, if this node holds one; a gap fetches the whole manifest. */
  private async keep(announced: LiveManifest, masterAddress: string): Promise<void> {
    const { store, logger } = this.options;
    const stored = store.getManifest(announced.name);
    if (stored === undefined) return;
    try {
      const grown = isLiveManifest(stored) ? grow(stored, announced) : null;
      const kept = grown ?? (await this.wholeManifest(announced.name, masterAddress));
      store.putManifest(kept);
      if (isLiveManifest(kept)) this.options.onStored?.(kept);
    } catch (error) {
      logger.warn(
        { video: announced.name, error: errorMessage(error) },
        'could not keep a live stream announcement; its viewers ask the master',
      );
    }
  }

  private async wholeManifest(video: string, masterAddress: string): Promise<Manifest> {
    const { reply } = await this.options.transport.request(
      masterAddress,
      { type: 'get-manifest', video },
      { timeoutMs: 3_000 },
    );
    this.options.trust.accept(reply.manifest, { name: '', address: masterAddress });
    return reply.manifest;
  }
}

/**
 * `stored` grown by what `announced` adds, under the announced header (a state change comes signed
 * in it), within the stream's window; null when they are not one stream or chunks are missing in
 * between.
 */
export function grow(stored: LiveManifest, announced: LiveManifest): LiveManifest | null {
  const sameStream =
    stored.publisher === announced.publisher &&
    stored.live.stream === announced.live.stream &&
    stored.init.sha256 === announced.init.sha256;
  if (!sameStream) return null;
  const last = stored.chunks.at(-1)?.index ?? -1;
  const added = announced.chunks.filter((chunk) => chunk.index > last);
  if (added.length > 0 && added[0]!.index !== last + 1) return null;
  const chunks = windowed([...stored.chunks, ...added], announced.live.window);
  const newest = chunks.at(-1)!;
  return { ...announced, chunks, duration: newest.start + newest.duration };
}

/** The chunks a DVR window of `window` seconds keeps: those starting within it of the newest's end. */
function windowed(chunks: LiveChunkEntry[], window: number): LiveChunkEntry[] {
  if (window === 0 || chunks.length === 0) return chunks;
  const newest = chunks.at(-1)!;
  const end = newest.start + newest.duration;
  const first = chunks.findIndex((chunk) => insideWindow(chunk.start, end, window));
  return chunks.slice(Math.max(0, Math.min(first, chunks.length - 1)));
}
