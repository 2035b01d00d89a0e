import type { PeerClient } from '../net/client.js';
import { isLiveManifest, type LiveChunkEntry, type LiveManifest, type Manifest } from '../shared/manifest.js';
import { liveStartIndex, LIVE_TARGET_SECONDS } from '../shared/live-edge.js';
import { PeerStreamerError, isPeerStreamerError } from '../util/errors.js';
import { sha256Hex } from '../util/hash.js';
import { systemClock } from '../util/clock.js';
import { LivePlayout, type PlayoutSample } from './live-playout.js';
import { requestWithRecovery } from './recovering-request.js';
import { DEFAULT_RECOVERY_MS } from './play-client.js';

export interface LiveWatchOptions {
  /** How far behind the live edge to start, in seconds. Default LIVE_TARGET_SECONDS. */
  targetSeconds?: number;
  /**
   * How often the viewer asks its own node for the stream's manifest. The node itself learns of new
   * chunks by announcement (it never polls its master); this is the viewer asking the node on its
   * own machine, as the renderer does through the gateway.
   */
  manifestEveryMs?: number;
  /** Chunk requests in flight at once. */
  inFlight?: number;
  timeoutMs?: number;
  /** How long a chunk the node cannot get right now (its master failing over) is asked for again. */
  recoveryMs?: number;
  /** Stops the watch (the viewer leaves); the promise then resolves with what was watched. */
  signal?: AbortSignal;
  /** Throws when the manifest must not be played (see PlayOptions.checkManifest). */
  checkManifest?: (manifest: Manifest) => void;
  /** The init segment, once, before any chunk. */
  onInit?: (body: Buffer) => void | Promise<void>;
  /** Each chunk in play order, checked against the manifest, with when it is shown. */
  onChunk?: (chunk: LiveChunkEntry, body: Buffer, shown: PlayoutSample) => void | Promise<void>;
  now?: () => number;
}

export interface LiveWatchResult {
  manifest: LiveManifest;
  /** The chunk the viewer joined at (its index, not its position). */
  joinedAt: number;
  playout: LivePlayout;
  bytes: number;
  /** Why the watch ended: the stream ended (or failed), or the viewer left. */
  ending: 'ended' | 'failed' | 'left';
}

const DEFAULT_MANIFEST_EVERY_MS = 250;
const DEFAULT_IN_FLIGHT = 3;

/**
 * Watches a live stream through a node as a viewer does: joins at the live edge less the target
 * buffer, follows the manifest as it grows, fetches each new chunk (checked against the manifest's
 * hash) and runs the player model (LivePlayout) on when each arrived, until the stream ends or the
 * viewer leaves. Each chunk is asked for with a plain `get` rather than a play stream: a stream's
 * read-ahead on the node covers the chunks its manifest listed when it opened, and a live one grows.
 */
export async function watchLive(
  client: PeerClient,
  address: string,
  video: string,
  options: LiveWatchOptions = {},
): Promise<LiveWatchResult> {
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 10_000;
  /** The manifest, or with `after` its header and only the chunks after that index (see get-manifest). */
  const manifestOf = async (after?: number): Promise<LiveManifest> => {
    const { reply } = await client.request(
      address,
      { type: 'get-manifest', video, ...(after === undefined ? {} : { after }) },
      { timeoutMs },
    );
    const manifest = reply.manifest;
    if (!isLiveManifest(manifest)) {
      throw new PeerStreamerError(
        'INVALID_ARGUMENT',
        `${JSON.stringify(video)} is not a live stream; play it with \`peerstreamer play\` instead.`,
        { video },
      );
    }
    options.checkManifest?.(manifest);
    return manifest;
  };
  const fetchSegment = async (index: number, sha256: string, size: number): Promise<Buffer> => {
    const { body } = await requestWithRecovery(
      () => client.request(address, { type: 'get', video, index, fetchUpstream: true }, { timeoutMs }),
      { budgetMs: options.recoveryMs ?? DEFAULT_RECOVERY_MS },
    );
    if (body.length !== size || sha256Hex(body) !== sha256) {
      throw new PeerStreamerError(
        'INVALID_CHECKSUM',
        `${address} sent ${index < 0 ? 'the init segment' : `chunk ${index}`} of ${JSON.stringify(video)} with bytes that do not match the manifest.`,
        { video, index },
      );
    }
    return body;
  };

  let manifest = await manifestOf();
  const playout = new LivePlayout(options.targetSeconds ?? LIVE_TARGET_SECONDS);
  const start = manifest.chunks[liveStartIndex(manifest.chunks, options.targetSeconds)];
  const joinedAt = start?.index ?? 0;
  let bytes = 0;
  const init = await fetchSegment(-1, manifest.init.sha256, manifest.init.size);
  bytes += init.length;
  await options.onInit?.(init);

  const wanted: LiveChunkEntry[] = [];
  let listedUpTo = joinedAt - 1;
  const listNew = (from: LiveManifest): void => {
    for (const chunk of from.chunks) {
      if (chunk.index <= listedUpTo) continue;
      wanted.push(chunk);
      listedUpTo = chunk.index;
    }
  };
  listNew(manifest);

  /** Each request notes when its chunk arrived: a consumer slow to take the one before is not a late chunk. */
  const inFlight = new Map<number, Promise<{ body: Buffer; at: number }>>();
  const fill = (): void => {
    for (const chunk of wanted) {
      if (inFlight.size >= (options.inFlight ?? DEFAULT_IN_FLIGHT)) break;
      if (inFlight.has(chunk.index)) continue;
      const request = fetchSegment(chunk.index, chunk.sha256, chunk.size).then((body) => ({
        body,
        at: now(),
      }));
      request.catch(() => undefined);
      inFlight.set(chunk.index, request);
    }
  };
  const left = (): boolean => options.signal?.aborted === true;
  let polling: Promise<void> | null = null;
  const poll = (): Promise<void> =>
    (polling ??= (async () => {
      try {
        // Only what is new: the whole list of a stream hours long, four times a second, per viewer,
        // would cost its node and this viewer more than the video does.
        const news = await manifestOf(listedUpTo);
        listNew(news);
        // With nothing newer the node repeats its newest chunk (a manifest lists one at least).
        const known = manifest.chunks.at(-1)?.index ?? -1;
        const added = news.chunks.filter((chunk) => chunk.index > known);
        manifest = { ...news, chunks: manifest.chunks.concat(added) };
      } catch (error) {
        // The node is failing over or busy: the next look may work, and the chunks listed play on.
        if (!isPeerStreamerError(error) || error.code === 'INVALID_ARGUMENT') throw error;
      } finally {
        polling = null;
      }
    })());

  while (!left()) {
    fill();
    const next = wanted[0];
    if (next === undefined) {
      if (manifest.live.state !== 'live') break;
      await systemClock.sleep(options.manifestEveryMs ?? DEFAULT_MANIFEST_EVERY_MS, options.signal);
      if (!left()) await poll();
      continue;
    }
    const { body, at } = await inFlight.get(next.index)!;
    inFlight.delete(next.index);
    wanted.shift();
    bytes += body.length;
    const shown = playout.arrived(next, at);
    await options.onChunk?.(next, body, shown);
    // Learning of new chunks while the listed ones are fetched keeps the next request going early.
    if (wanted.length <= 1 && manifest.live.state === 'live') void poll().catch(() => undefined);
  }
  const ending = left() ? 'left' : manifest.live.state === 'failed' ? 'failed' : 'ended';
  return { manifest, joinedAt, playout, bytes, ending };
}
