import type { Manifest } from '../shared/manifest.js';
import {
  PeerStreamerError,
  askedPath,
  errorMessage,
  isPeerStreamerError,
  videoNotInSwarm,
} from '../util/errors.js';
import type { FetcherOptions, ManifestTrust } from './fetcher-options.js';
import type { PeerRef } from '../protocol/messages.js';
import type { HolderCache } from './holder-cache.js';
import type { HolderLookup } from './holder-lookup.js';
import { isSilence } from './silence.js';
import { masterInUse } from './upstream-view.js';

/**
 * A video's manifest for the fetcher: from the store, else from the master (then kept in the store),
 * one request per video however many ask at once. A video nobody above has is "not in this swarm",
 * naming every node that was asked.
 */
export class ManifestFetcher {
  private readonly manifests = new Map<string, Promise<Manifest>>();
  private readonly masterTimeoutMs: number;

  constructor(
    private readonly options: FetcherOptions,
    private readonly holders: HolderCache,
    private readonly lookup: HolderLookup,
  ) {
    this.masterTimeoutMs = options.masterTimeoutMs ?? 3_000;
  }

  /**
   * The manifest of `video`. A manifest fetched from above means chunks of the video are asked for
   * next, from its start: the holders of the init segment and the first chunks are asked for at the
   * same time, so that a cold start waits for one round trip to the master, not two in turn
   * (manifest, then holders), at each level of the tree.
   */
  async get(video: string): Promise<Manifest> {
    const stored = this.options.store.getManifest(video);
    if (stored) return stored;
    let pending = this.manifests.get(video);
    if (!pending) {
      pending = this.fetch(video).finally(() => this.manifests.delete(video));
      this.manifests.set(video, pending);
      if (this.holders.get(video, -1) === undefined) void this.lookup.query(video, -1);
    }
    return pending;
  }

  private async fetch(video: string): Promise<Manifest> {
    const { upstream, transport, store, counters, manifestTrust } = this.options;
    // The last refusal, thrown if no master gives a manifest this node trusts.
    let refused: unknown;
    for (let round = 0; round < 2; round++) {
      const master = await masterInUse(upstream, this.hasUpstreamAtAll, this.masterTimeoutMs);
      if (!master) break;
      try {
        const { reply } = await transport.request(
          master.address,
          { type: 'get-manifest', video },
          { timeoutMs: this.masterTimeoutMs },
        );
        const distrust = distrustOf(manifestTrust, reply.manifest, master);
        if (distrust !== null) {
          // A master that hands down a forged or foreign video lied: its supermaster is asked at once,
          // and going back to it waits as for any master that lied.
          refused = distrust;
          counters.failovers += 1;
          upstream.masterFailed(master.address, errorMessage(distrust), true);
          continue;
        }
        store.putManifest(reply.manifest);
        return reply.manifest;
      } catch (error) {
        if (isPeerStreamerError(error, 'VIDEO_NOT_FOUND')) {
          // Older peers send no path: then all we know is that our master said no.
          const above = askedPath(error);
          throw this.notInSwarm(video, above.length > 0 ? above : [master.name]);
        }
        if (!isSilence(error)) throw error;
        counters.failovers += 1;
        upstream.masterFailed(master.address, errorMessage(error));
      }
    }
    if (refused !== undefined) throw refused;
    if (upstream.current() === null && !this.hasUpstreamAtAll) throw this.notInSwarm(video, []);
    throw new PeerStreamerError(
      'UNREACHABLE',
      `neither the master nor the supermaster answered for the manifest of ${JSON.stringify(video)}; the node keeps retrying.`,
      { video },
    );
  }

  /** This node and the nodes above it that were asked, as one sentence that a reply carries on down. */
  private notInSwarm(video: string, above: readonly string[]): PeerStreamerError {
    return videoNotInSwarm(video, [this.options.selfName, ...above], this.options.selfAddress?.());
  }

  /** A source has no upstream at all; a child may be between masters for a moment. */
  private get hasUpstreamAtAll(): boolean {
    return this.options.hasUpstream ?? true;
  }
}

/** Why `trust` refuses the manifest `from` sent (its error), or null when it accepts it. */
function distrustOf(trust: ManifestTrust, manifest: Manifest, from: PeerRef): unknown {
  try {
    trust.accept(manifest, from);
    return null;
  } catch (error) {
    return error;
  }
}
