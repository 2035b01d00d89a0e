/**
 * The source's side of a live stream's manifest: the header signed once at the start (and again at
 * the end), each new chunk signed on its own as it is appended, chunks older than the DVR window
 * dropped, and the recording kept as an ordinary video when the stream stops.
 *
 * An append costs one signature and, amortised, constant work, however long the stream: nothing
 * already signed is signed again, and dropped chunks are let go in batches. Memory is bounded by the
 * window (with `window: 0`, by the stream, which is what keeping every chunk means).
 */
import { randomBytes } from 'node:crypto';
import type {
  LiveChunkEntry,
  LiveHeader,
  LiveInfo,
  LiveManifest,
  MediaManifest,
  SegmentRef,
} from '../shared/manifest.js';
import { MANIFEST_VERSION } from '../shared/manifest.js';
import { MAX_CHUNK_INDEX } from '../shared/manifest-schema.js';
import type { PosterRef } from '../shared/poster.js';
import { PeerStreamerError } from '../util/errors.js';
import { signLiveChunk, signLiveHeader } from './live-signature.js';
import { signManifest } from './manifest-signature.js';
import type { PublisherKeyPair } from './publisher-key.js';

/** What a live stream's header says from its start. */
export interface LiveStreamStart {
  name: string;
  mimeType: string;
  width: number | null;
  height: number | null;
  init: SegmentRef;
  ingest: MediaManifest['ingest'];
  /** newLiveStreamId(), chosen once; an input restarted goes on under the same id. */
  stream: string;
  /** The DVR window in whole seconds; 0 keeps every chunk. */
  window: number;
  /** An ISO date-time; now when not given. It is the manifest's `createdAt` too. */
  startedAt?: string;
  poster?: PosterRef;
}

/** A chunk as the live cutter hands it out; its index is the builder's to give. */
export interface LiveChunkInput {
  /** Seconds on the stream's timeline: where the previous chunk ended, the first anywhere. */
  start: number;
  duration: number;
  size: number;
  sha256: string;
  /** Unix milliseconds when its first frame was captured. */
  captureTime: number;
  /** The input restarted just before this chunk (its timeline goes on where the last chunk ended). */
  discontinuity?: boolean;
}

/** A stream's id: 128 random bits in lower-case hex, chosen once when a stream starts. */
/**
 * Whether a chunk starting at `start` is still within a DVR window of `window` seconds (0: keep all)
 * of a stream ending at `streamEnd`: the one rule the source and every node that grows a copy apply.
 */
export function insideWindow(start: number, streamEnd: number, window: number): boolean {
  return window === 0 || streamEnd - start <= window + TIME_TOLERANCE;
}

export function newLiveStreamId(): string {
  return randomBytes(16).toString('hex');
}

/** A chunk starts where the previous ended, to within the manifest schema's tolerance. */
const TIME_TOLERANCE = 0.001;
/** Dropped chunks are let go once this many have piled up at the front (and half the list). */
const COMPACT_AFTER = 1024;

export class LiveManifestBuilder {
  private signedHeader: LiveHeader;
  /** Chunks kept, oldest first; those before `first` are dropped, and let go in batches. */
  private chunks: LiveChunkEntry[] = [];
  private first = 0;
  private nextIndex = 0;
  private streamEnd = 0;

  constructor(
    start: LiveStreamStart,
    private readonly key: PublisherKeyPair,
  ) {
    const startedAt = start.startedAt ?? new Date().toISOString();
    const live: LiveInfo = { stream: start.stream, state: 'live', startedAt, window: start.window };
    this.signedHeader = signLiveHeader(
      {
        version: MANIFEST_VERSION,
        kind: 'fmp4',
        name: start.name,
        mimeType: start.mimeType,
        width: start.width,
        height: start.height,
        init: start.init,
        createdAt: startedAt,
        ingest: start.ingest,
        ...(start.poster === undefined ? {} : { poster: start.poster }),
        live,
      },
      key,
    );
  }

  /**
   * Goes on with a stream this key published (an ended or failed one, or one whose source stopped
   * without ending it): the same stream id, window, start and chunks, the header signed again as
   * `live`. The chunks keep their signatures (they cover the stream id, not its state), and the next
   * one is numbered and timed after the last; the caller marks it `discontinuity`.
   */
  static resume(manifest: LiveManifest, key: PublisherKeyPair): LiveManifestBuilder {
    if (manifest.publisher !== key.publicKey) {
      throw new PeerStreamerError(
        'INVALID_ARGUMENT',
        `The live stream ${JSON.stringify(manifest.name)} was published with another key; only its publisher can go on with it. Start it under another name.`,
        { video: manifest.name },
      );
    }
    const builder = new LiveManifestBuilder(
      {
        name: manifest.name,
        mimeType: manifest.mimeType,
        width: manifest.width,
        height: manifest.height,
        init: manifest.init,
        ingest: manifest.ingest,
        stream: manifest.live.stream,
        window: manifest.live.window,
        startedAt: manifest.live.startedAt,
        ...(manifest.poster === undefined ? {} : { poster: manifest.poster }),
      },
      key,
    );
    const last = manifest.chunks[manifest.chunks.length - 1]!;
    builder.chunks = manifest.chunks.map((chunk) => Object.freeze({ ...chunk }));
    builder.nextIndex = last.index + 1;
    builder.streamEnd = last.start + last.duration;
    return builder;
  }

  /** Where the newest chunk ends on the stream's timeline (0 before the first): the next one's start. */
  get timelineEnd(): number {
    return this.streamEnd;
  }

  /** The signed header: what a child checks each announced chunk against (liveChunkProblem). */
  get header(): LiveHeader {
    return this.signedHeader;
  }

  /** Adds the next chunk, signed on its own, and returns its entry: index one past the previous. */
  append(chunk: LiveChunkInput): LiveChunkEntry {
    const name = JSON.stringify(this.signedHeader.name);
    if (this.signedHeader.live.state !== 'live') {
      throw new PeerStreamerError(
        'INVALID_ARGUMENT',
        `The live stream ${name} has ${this.signedHeader.live.state}: no chunk can be added after it ends. Start a new stream (a new id) to go on.`,
        { video: this.signedHeader.name, state: this.signedHeader.live.state },
      );
    }
    if (this.nextIndex > MAX_CHUNK_INDEX) {
      throw new PeerStreamerError(
        'INVALID_ARGUMENT',
        `The live stream ${name} has used every chunk index up to ${MAX_CHUNK_INDEX}. End it and start a new stream to go on.`,
        { video: this.signedHeader.name },
      );
    }
    if (this.nextIndex > 0 && Math.abs(chunk.start - this.streamEnd) > TIME_TOLERANCE) {
      throw new PeerStreamerError(
        'INVALID_ARGUMENT',
        `Chunk ${this.nextIndex} of the live stream ${name} starts at ${chunk.start} s, but the previous chunk ended at ${this.streamEnd} s: chunks must follow one another on the stream's timeline (after an input restart too, marked with discontinuity).`,
        {
          video: this.signedHeader.name,
          index: this.nextIndex,
          start: chunk.start,
          expected: this.streamEnd,
        },
      );
    }
    const entry = Object.freeze(
      signLiveChunk(
        this.signedHeader,
        {
          index: this.nextIndex,
          start: chunk.start,
          duration: chunk.duration,
          size: chunk.size,
          sha256: chunk.sha256,
          captureTime: chunk.captureTime,
          ...(chunk.discontinuity === true ? { discontinuity: true as const } : {}),
        },
        this.key,
      ),
    );
    this.chunks.push(entry);
    this.nextIndex += 1;
    this.streamEnd = entry.start + entry.duration;
    this.dropOutsideWindow();
    return entry;
  }

  /** Ends the stream (`ended`: stopped on purpose; `failed`: its input failed); re-signs the header. */
  end(state: 'ended' | 'failed'): LiveHeader {
    const now = this.signedHeader.live.state;
    if (now !== 'live') {
      throw new PeerStreamerError(
        'INVALID_ARGUMENT',
        `The live stream ${JSON.stringify(this.signedHeader.name)} has already ${now}; it cannot end again as ${state}.`,
        { video: this.signedHeader.name, state: now },
      );
    }
    this.signedHeader = signLiveHeader(
      { ...this.signedHeader, live: { ...this.signedHeader.live, state } },
      this.key,
    );
    return this.signedHeader;
  }

  /**
   * The manifest as it stands: the signed header, the chunks within the window and the duration
   * where the newest ends. A stream is announced once its first chunk exists, so there is none
   * before: the manifest schema requires a chunk.
   */
  manifest(): LiveManifest {
    if (this.nextIndex === 0) {
      throw new PeerStreamerError(
        'INVALID_ARGUMENT',
        `The live stream ${JSON.stringify(this.signedHeader.name)} has no chunk yet; its manifest exists from its first chunk on.`,
        { video: this.signedHeader.name },
      );
    }
    return { ...this.signedHeader, duration: this.streamEnd, chunks: this.chunks.slice(this.first) };
  }

  /**
   * The stream as an ordinary signed video, for keeping the recording when the stream stops (it may
   * be asked while it is live too: a recording of what exists so far). No `live`, no per-chunk live
   * fields, signed as a whole.
   *
   * Offered only when the list still starts at chunk 0 at time 0, that is when the window dropped
   * nothing (`window: 0`, or a stream shorter than its window). The chunks are not renumbered or
   * moved in time: their fMP4 fragments carry their times (tfdt), which the player appends without
   * an offset, so a rebased manifest would seek to the wrong chunks; and renumbering would make the
   * chunks every node holds under the live stream's indexes another video's.
   */
  toOnDemand(): MediaManifest {
    const live = this.manifest();
    const [first] = live.chunks;
    const name = JSON.stringify(live.name);
    if (first!.index !== 0 || first!.start !== 0) {
      const why =
        first!.index !== 0
          ? `its ${live.live.window} s window dropped its first ${first!.index} chunks`
          : `its first chunk starts at ${first!.start} s, not 0`;
      throw new PeerStreamerError(
        'INVALID_ARGUMENT',
        `The live stream ${name} cannot be kept as a recording: ${why}. Start a stream with window 0 to keep its recording.`,
        { video: live.name, firstIndex: first!.index, window: live.live.window },
      );
    }
    const { live: _live, signature: _signature, publisher: _publisher, chunks, ...fields } = live;
    const recording: MediaManifest = {
      ...fields,
      chunks: chunks.map(({ index, start, duration, size, sha256 }) => ({
        index,
        start,
        duration,
        size,
        sha256,
      })),
    };
    return signManifest(recording, this.key);
  }

  private dropOutsideWindow(): void {
    const window = this.signedHeader.live.window;
    if (window === 0) return;
    // The newest chunk stays, however long: a stream always has one to play.
    const newest = this.chunks.length - 1;
    while (this.first < newest && !insideWindow(this.chunks[this.first]!.start, this.streamEnd, window)) {
      this.first += 1;
    }
    if (this.first >= COMPACT_AFTER && this.first * 2 >= this.chunks.length) {
      this.chunks = this.chunks.slice(this.first);
      this.first = 0;
    }
  }
}
