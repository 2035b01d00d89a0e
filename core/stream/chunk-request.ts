import type { Manifest, SegmentRef } from '../shared/manifest.js';
import { missingSegmentReason, segmentRef } from '../shared/segments.js';
import type { PeerRef } from '../protocol/messages.js';
import { PeerStreamerError, errorMessage, isPeerStreamerError } from '../util/errors.js';
import { sha256HexAsync } from '../util/hash.js';
import { systemClock, type Clock } from '../util/clock.js';
import type { FetcherOptions } from './fetcher-options.js';
import type { HolderCache } from './holder-cache.js';
import { isSilence } from './silence.js';

/**
 * One `get` of a chunk from one peer or the master, and the verdict on its answer: bytes that match
 * the manifest, or null with the peer marked down (forgotten as a holder, or its master failed over).
 */
export class ChunkRequester {
  private readonly clock: Clock;
  private readonly hash: (bytes: Uint8Array) => Promise<string>;

  constructor(
    private readonly options: FetcherOptions,
    private readonly holders: HolderCache,
  ) {
    this.clock = options.clock ?? systemClock;
    this.hash = options.hash ?? sha256HexAsync;
  }

  /**
   * Asks one peer (or the master) for the chunk. The request may leave before the manifest is here;
   * whatever the answer, it is judged only once the manifest is: an index the video does not have
   * throws CHUNK_NOT_FOUND (nobody's fault), and bytes are kept only when they match its sha256.
   */
  async ask(
    peer: PeerRef,
    video: string,
    index: number,
    manifest: Promise<Manifest>,
    isMaster: boolean,
    timeoutMs: number,
    signal?: AbortSignal,
    dueInMs?: number,
  ): Promise<Buffer | null> {
    const { transport, health, counters, logger, selfName } = this.options;
    const started = this.clock.now();
    health.started(peer.address, peer.name);
    let body: Buffer | undefined;
    let latencyMs: number;
    try {
      ({ body } = await transport.request(
        // With the key its master vouched for (the one it proved on registering), when given.
        peer.key !== undefined ? `${peer.address}#${peer.key}` : peer.address,
        {
          type: 'get',
          video,
          index,
          fetchUpstream: isMaster,
          name: selfName,
          ...(dueInMs === undefined ? {} : { dueInMs }),
        },
        { timeoutMs, ...(signal ? { signal } : {}) },
      ));
      // Timed before hashing: the peer's answer, not this node's CPU. A master's answer may include
      // fetching from above, so only a peer's (served from its store) is a round-trip sample.
      latencyMs = this.clock.now() - started;
    } catch (error) {
      if (signal?.aborted) {
        // Called off by the reader (it left, or stopped the play): not the peer's failure.
        health.calledOff(peer.address);
        throw error;
      }
      expectedRef(await manifest, index);
      health.failed(peer.address);
      const code = isPeerStreamerError(error) ? error.code : 'INTERNAL';
      if (isMaster && (isSilence(error) || isMasterFault(error))) {
        counters.failovers += 1;
        this.options.upstream.masterFailed(peer.address, errorMessage(error), isMasterFault(error));
      } else if (!isMaster) {
        this.holders.forgetAddress(peer.address);
        if (isSilence(error)) health.offended(peer.address);
      }
      logger.debug({ peer: peer.name, video, index, code }, `fetch failed: ${errorMessage(error)}`);
      return null;
    }
    const expected = expectedRef(await manifest, index);
    const bytes = body ?? Buffer.alloc(0);
    if (bytes.length !== expected.size || (await this.hash(bytes)) !== expected.sha256) {
      counters.corruptChunks += 1;
      health.failed(peer.address);
      health.offended(peer.address);
      this.holders.forgetAddress(peer.address);
      // A master that hands out bad bytes fails its whole subtree: it is left as a silent one is.
      if (isMaster) {
        counters.failovers += 1;
        this.options.upstream.masterFailed(
          peer.address,
          'it sent bytes that do not match the manifest',
          true,
        );
      }
      logger.warn(
        { peer: peer.name, address: peer.address, video, index, code: 'INVALID_CHECKSUM' },
        'peer sent bytes that do not match the manifest; fetching elsewhere',
      );
      return null;
    }
    health.succeeded(peer.address, isMaster ? null : latencyMs, bytes.length);
    return bytes;
  }
}

/** The size and sha256 the manifest gives chunk `index`; CHUNK_NOT_FOUND when the video has none. */
export function expectedRef(manifest: Manifest, index: number): SegmentRef {
  const ref = segmentRef(manifest, index);
  if (ref === undefined) {
    throw new PeerStreamerError('CHUNK_NOT_FOUND', `video ${missingSegmentReason(manifest, index)}`, {
      video: manifest.name,
      index,
    });
  }
  return ref;
}

/**
 * An error from the master that its own state explains, not its upstream's or its load: a master that
 * answers heartbeats but fails every `get` (INTERNAL, BAD_REQUEST, anything unexpected) would
 * otherwise keep its subtree from ever playing. TIMEOUT, UNREACHABLE, OVERLOADED and NOT_SEEDING
 * mean it is alive and its upstream failed, or it is busy, and CHUNK_NOT_FOUND that the chunk is
 * nowhere above (a source without it has no one to hand over to); those are waited out.
 */
function isMasterFault(error: unknown): boolean {
  if (!isPeerStreamerError(error)) return false;
  const remote = error.context.remoteCode;
  if (typeof remote !== 'string') return false;
  return !['TIMEOUT', 'UNREACHABLE', 'OVERLOADED', 'NOT_SEEDING', 'CHUNK_NOT_FOUND'].includes(remote);
}
