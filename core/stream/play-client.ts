import type { Writable } from 'node:stream';
import { writeOut } from './write-out.js';
import type { PeerClient } from '../net/client.js';
import { chunkAtTime, type Manifest } from '../shared/manifest.js';
import type { ChunkOrigin } from '../shared/api-types.js';
import { PeerStreamerError, askedPath, isPeerStreamerError, videoNotInSwarm } from '../util/errors.js';
import { sha256Hex } from '../util/hash.js';
import { formatDuration } from '../shared/format.js';
import { endIndex, segmentRef } from '../shared/segments.js';
import { PLAY_CLIENT_FETCHES_AT_ONCE, fetchesAtOnce } from '../shared/read-ahead-policy.js';
import { requestWithRecovery } from './recovering-request.js';

export interface PlayOptions {
  startSeconds?: number;
  /** Requests kept in flight on the stream. Default: PLAY_CLIENT_FETCHES_AT_ONCE. */
  inFlight?: number;
  streamId: string;
  timeoutMs?: number;
  /**
   * Throws when the manifest the node handed over must not be played (a link's player trusts only
   * the link's publisher); called before any chunk is asked for.
   */
  checkManifest?: (manifest: Manifest) => void;
  /**
   * How long a chunk the node cannot get right now (UNREACHABLE, TIMEOUT, OVERLOADED: its master
   * failing over) is asked for again before the play gives up. Default: DEFAULT_RECOVERY_MS.
   */
  recoveryMs?: number;
  /** Returns true once the consumer went away (a closed pipe): stop quietly. */
  stopped?: () => boolean;
  /**
   * After each chunk is written; `end` is one past the last chunk's index (the chunk count, but for
   * a live stream, whose indexes start where its DVR window has got to); `origin` is where the node
   * got it, when the node says.
   */
  onChunk?: (index: number, end: number, bytes: number, origin: ChunkOrigin | undefined) => void;
}

/** Enough for a node to fail over from a dead master under load (a few heartbeats and a register). */
export const DEFAULT_RECOVERY_MS = 20_000;

/** Best effort: an older node answers UNKNOWN_TYPE, a gone one nothing; its idle timeout covers both. */
async function endStream(client: PeerClient, address: string, streamId: string): Promise<void> {
  await client
    .request(address, { type: 'end-stream', streamId }, { timeoutMs: 1_000 })
    .catch(() => undefined);
}

/**
 * Streams a video through a node, as the original video_streamer.js did, but with several requests
 * in flight on one stream (the node answers them in order) and every chunk checked against the
 * manifest. Writes the init segment (fmp4) and chunks from the start chunk to the end. A live
 * stream plays the chunks its manifest lists when the play starts (its DVR window, whose indexes
 * start above 0 once the window has moved), and ends there.
 */
export async function playStream(
  client: PeerClient,
  address: string,
  video: string,
  out: Writable,
  options: PlayOptions,
): Promise<{ manifest: Manifest; chunks: number; bytes: number }> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const manifest = await fetchManifest(client, address, video, timeoutMs);
  options.checkManifest?.(manifest);
  if (manifest.kind === 'legacy' && (options.startSeconds ?? 0) > 0) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `${JSON.stringify(video)} is a legacy byte-split video: it plays only from the start; drop --start.`,
    );
  }
  assertStartWithin(manifest, options.startSeconds ?? 0);
  const first = chunkAtTime(manifest, options.startSeconds ?? 0);
  let bytes = 0;
  const write = (data: Buffer): Promise<void> => {
    bytes += data.length;
    return writeOut(out, data);
  };
  const fetchChunk = async (index: number): Promise<{ body: Buffer; origin: ChunkOrigin | undefined }> => {
    const expected = segmentRef(manifest, index)!;
    const { reply: got, body } = await requestWithRecovery(
      () =>
        client.request(
          address,
          { type: 'get', video, index, fetchUpstream: true, streamId: options.streamId },
          { timeoutMs },
        ),
      { budgetMs: options.recoveryMs ?? DEFAULT_RECOVERY_MS },
    );
    if (body.length !== expected.size || sha256Hex(body) !== expected.sha256) {
      throw new PeerStreamerError(
        'INVALID_CHECKSUM',
        `${address} sent chunk ${index} of ${JSON.stringify(video)} with bytes that do not match the manifest.`,
        { video, index },
      );
    }
    return { body, origin: got.origin };
  };
  const end = endIndex(manifest.chunks);
  // The node reads ahead for the stream; the client's window is only its requests in flight.
  const window = fetchesAtOnce(options.inFlight, PLAY_CLIENT_FETCHES_AT_ONCE);
  const pending = new Map<number, Promise<{ body: Buffer; origin: ChunkOrigin | undefined }>>();
  let next = first;
  const fill = (upTo: number): void => {
    while (next < end && next < upTo) {
      const request = fetchChunk(next);
      request.catch(() => undefined);
      pending.set(next, request);
      next += 1;
    }
  };
  // The init segment and the first chunks are asked for together: on a cold path each crosses the
  // tree, and one after the other they would add up.
  const init = manifest.kind === 'fmp4' ? fetchChunk(-1) : undefined;
  init?.catch(() => undefined);
  fill(first + window);
  let finished = first >= end;
  try {
    if (init) await write((await init).body);
    for (let index = first; index < end; index++) {
      if (options.stopped?.()) break;
      fill(index + window);
      const { body, origin } = await pending.get(index)!;
      pending.delete(index);
      await write(body);
      options.onChunk?.(index, end, bytes, origin);
      finished = index === end - 1;
    }
  } finally {
    // The node ends a stream by itself once it hands out the last chunk; a play that stops earlier
    // (its consumer went away, a chunk failed) says so, so the node frees the read-ahead at once.
    if (!finished) await endStream(client, address, options.streamId);
  }
  return { manifest, chunks: end - first, bytes };
}

async function fetchManifest(
  client: PeerClient,
  address: string,
  video: string,
  timeoutMs: number,
): Promise<Manifest> {
  try {
    const { reply } = await client.request(address, { type: 'get-manifest', video }, { timeoutMs });
    return reply.manifest;
  } catch (error) {
    // One sentence naming the nodes asked, and where to list what the swarm does have.
    if (isPeerStreamerError(error, 'VIDEO_NOT_FOUND'))
      throw videoNotInSwarm(video, askedPath(error), address);
    throw error;
  }
}

/**
 * A start at or past the end would otherwise play the last chunk, which is not what was asked for.
 * The allowed range is in whole seconds, as a person types it: a 60 s video takes 0 to 59, a live
 * stream from where its DVR window starts (a start before it plays from the window's start).
 */
function assertStartWithin(manifest: Manifest, start: number): void {
  if (manifest.kind !== 'fmp4' || start < manifest.duration) return;
  // A duration a few frames over a whole second (16.04 s) still reads as "0:16", so it offers 0 to 15.
  const from = Math.floor(manifest.chunks[0]?.start ?? 0);
  const last = Math.max(from, Math.ceil(manifest.duration - 0.1) - 1);
  const range = last === from ? `use ${from}` : `use a value from ${from} to ${last}`;
  throw new PeerStreamerError(
    'INVALID_ARGUMENT',
    `--start ${start} is past the end of ${JSON.stringify(manifest.name)} (${formatDuration(manifest.duration)} long); ${range}`,
    { video: manifest.name, start, duration: manifest.duration },
  );
}
