import type { RequestRouter } from '../net/handlers.js';
import type { Manifest } from '../shared/manifest.js';
import { sniffPosterType, type PosterRef } from '../shared/poster.js';
import type { StoredPoster } from '../store/poster-store.js';
import type { ChunkStore } from '../store/chunk-store.js';
import type { UpstreamView } from '../stream/upstream-view.js';
import { PeerStreamerError, errorMessage, isPeerStreamerError } from '../util/errors.js';
import { sha256HexAsync } from '../util/hash.js';
import type { Logger } from '../util/logger.js';
import type { NodeCounters } from './node-counters.js';
import type { PeerHealth } from '../net/peer-health.js';
import type { Transport } from '../net/transport.js';

export interface PosterServiceOptions {
  selfName: string;
  server: RequestRouter;
  store: ChunkStore;
  transport: Transport;
  /** The video's manifest, from the store or the master (the authority a poster is checked against). */
  manifest: (video: string) => Promise<Manifest>;
  upstream: UpstreamView;
  /** False for a source: a poster it does not hold cannot be had anywhere. */
  hasUpstream: boolean;
  counters: NodeCounters;
  health: PeerHealth;
  logger: Logger;
  /** How long the master may take (it may itself ask its own master). Default 3 s. */
  timeoutMs?: number;
}

/**
 * Posters travel up and down the tree like manifests: a node answers `get-poster` from its store,
 * and a node without the poster asks its master (who asks its own), checks the bytes against the
 * manifest's poster (size, sha256, image type) and keeps them. Bad replies (too big, wrong hash,
 * wrong type) are refused, counted as invalid input and against the peer, and never stored.
 */
export class PosterService {
  private readonly inFlight = new Map<string, Promise<StoredPoster | null>>();
  private readonly timeoutMs: number;

  constructor(private readonly options: PosterServiceOptions) {
    this.timeoutMs = options.timeoutMs ?? 3_000;
    options.server.handle('get-poster', async (request) => {
      const poster = await this.poster(request.video);
      if (poster === null) {
        throw new PeerStreamerError(
          'CHUNK_NOT_FOUND',
          `no poster of ${JSON.stringify(request.video)} here: its manifest names none, or neither this node nor its master has it.`,
        );
      }
      return {
        reply: {
          video: request.video,
          size: poster.bytes.length,
          sha256: poster.ref.sha256,
          mimeType: poster.ref.mimeType,
        },
        body: poster.bytes,
      };
    });
  }

  /**
   * The poster of `video`, verified, or null when its manifest names none or none can be had now.
   * Throws VIDEO_NOT_FOUND (or UNREACHABLE) as the manifest lookup does. Not abortable: the trip up
   * is shared by everyone asking at once and bounded by the timeout, and what it brings is kept.
   */
  async poster(video: string): Promise<StoredPoster | null> {
    const manifest = await this.options.manifest(video);
    const ref = manifest.kind === 'fmp4' ? manifest.poster : undefined;
    if (ref === undefined) return null;
    const held = await this.options.store.posters.get(video);
    if (held !== undefined) return held;
    if (!this.options.hasUpstream) return null;
    // Several cards (or children) asking at once share one trip up the tree.
    let pending = this.inFlight.get(video);
    if (pending === undefined) {
      pending = this.fromMaster(video, ref).finally(() => this.inFlight.delete(video));
      this.inFlight.set(video, pending);
    }
    return pending;
  }

  private async fromMaster(video: string, ref: PosterRef): Promise<StoredPoster | null> {
    const { upstream, transport, health, logger, selfName } = this.options;
    const master = upstream.current() ?? (await upstream.waitForMaster(this.timeoutMs));
    if (master === null) return null;
    health.started(master.address, master.name);
    let body: Buffer;
    try {
      const answer = await transport.request(
        master.address,
        { type: 'get-poster', video, name: selfName },
        { timeoutMs: this.timeoutMs },
      );
      const problem = await this.problemWith(answer.reply.mimeType, answer.body, ref);
      if (problem !== null) {
        this.refused(master, video, problem);
        return null;
      }
      body = answer.body!;
    } catch (error) {
      if (isInvalidReply(error)) {
        this.refused(master, video, errorMessage(error));
        return null;
      }
      // A master that answered (an older one: UNKNOWN_TYPE; one without the poster) did nothing wrong.
      if (isPeerStreamerError(error) && error.context.remoteCode !== undefined) {
        // Not an RTT sample: the master may have asked its own master first (as for chunks).
        health.succeeded(master.address, null, 0);
      } else {
        health.failed(master.address);
      }
      logger.debug({ video, master: master.name, error: errorMessage(error) }, 'master gave no poster');
      return null;
    }
    // Not an RTT sample either: the time includes the master's fetch from further up the tree.
    health.succeeded(master.address, null, body.length);
    await this.options.store.posters.put(video, body).catch((error: unknown) => {
      // A full disk must not cost the viewer the picture: it is verified, so it is shown uncached.
      logger.warn({ video, error: errorMessage(error) }, 'could not keep a poster');
    });
    return { bytes: body, ref };
  }

  /** Why these bytes are not the poster the manifest names, or null when they are. */
  private async problemWith(
    mimeType: string,
    body: Buffer | undefined,
    ref: PosterRef,
  ): Promise<string | null> {
    const bytes = body ?? Buffer.alloc(0);
    if (bytes.length !== ref.size) return `${bytes.length} bytes, the manifest says ${ref.size}`;
    const sha256 = await sha256HexAsync(bytes);
    if (sha256 !== ref.sha256) return `sha256 ${sha256}, the manifest says ${ref.sha256}`;
    const sniffed = sniffPosterType(bytes);
    if (mimeType !== ref.mimeType || sniffed !== ref.mimeType) {
      return `a ${sniffed ?? 'non-image'} sent as ${mimeType}, the manifest says ${ref.mimeType}`;
    }
    return null;
  }

  private refused(master: { name: string; address: string }, video: string, why: string): void {
    this.options.counters.badPosters += 1;
    this.options.health.failed(master.address);
    this.options.logger.warn(
      { peer: master.name, address: master.address, video, code: 'INVALID_CHECKSUM' },
      `refused a poster that is not the one the manifest names (${why})`,
    );
  }
}

/** A reply PeerClient refused itself (it did not validate: e.g. larger than a poster may be). */
function isInvalidReply(error: unknown): boolean {
  return isPeerStreamerError(error, 'PROTOCOL') && error.context.remoteCode === undefined;
}
