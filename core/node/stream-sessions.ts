import { ReadAhead } from '../stream/read-ahead.js';
import { endIndex } from '../shared/segments.js';
import {
  NODE_READ_AHEAD,
  readAheadPolicy,
  type ReadAheadPolicy,
  type TimedChunks,
} from '../shared/read-ahead-policy.js';
import type { ChunkFetcher, FetchedChunk } from '../stream/chunk-fetcher.js';
import type { ChunkPinning } from '../store/chunk-storage.js';
import { PeerStreamerError } from '../util/errors.js';
import { systemClock, type Clock } from '../util/clock.js';
import { Ticker } from '../util/timers-with-work.js';

/**
 * Streams that play clients (`peerstreamer play`, the original video_streamer.js) open on a node by
 * sending `get` with a streamId. The node reads ahead for each stream and answers strictly in order,
 * as the original did: a request for a later chunk waits for the earlier ones; a duplicate request
 * for a chunk still pending is refused; a request behind the stream's position is an error.
 *
 * A stream holds pins and read-ahead, and counts in `streamsActive`, only while it is in use. It
 * ends when its last chunk is handed out, when the client says `end-stream`, when a reply to the
 * client cannot be routed (its connection is gone), or after `idleMs` with no request waiting and
 * none received (a client that vanished quietly). Ending one is harmless to a client still there:
 * its next `get` on the same streamId opens the stream again at that chunk.
 */
interface Waiter {
  resolve(chunk: FetchedChunk): void;
  reject(error: unknown): void;
}

class StreamSession {
  private readonly reader: ReadAhead<FetchedChunk>;
  private readonly waiters = new Map<number, Waiter>();
  /** One past the last chunk's index (indexes start where a live stream's window has got to). */
  private readonly end: number;
  private pumping = false;
  lastActive: number;

  constructor(
    /** The connection that opened the stream (streams are per connection and streamId). */
    readonly peerKey: string,
    readonly video: string,
    start: number,
    chunks: TimedChunks,
    fetcher: ChunkFetcher,
    private readonly store: ChunkPinning,
    policy: ReadAheadPolicy,
    private readonly clock: Clock,
  ) {
    this.lastActive = clock.now();
    this.end = endIndex(chunks);
    this.reader = new ReadAhead<FetchedChunk>({
      start,
      chunks,
      policy,
      fetch: async (index, signal, dueInMs) => {
        // Pinned while read ahead, so the cache cannot evict it before it is played.
        store.pinChunk(video, index);
        try {
          return await fetcher.fetch(video, index, signal, { dueInMs });
        } catch (error) {
          store.unpinChunk(video, index);
          throw error;
        }
      },
      discard: (index) => store.unpinChunk(video, index),
    });
  }

  get position(): number {
    return this.reader.nextIndex;
  }

  /** Every chunk up to the last has been handed out: the play is over. */
  get finished(): boolean {
    return this.position >= this.end;
  }

  /**
   * Nothing since `cutoff` and no request waiting (the client has gone quiet), or nothing since
   * `stuckCutoff` even with requests waiting: those were answered TIMEOUT by the server long ago
   * (e.g. a request far ahead of chunks the client never asked for), so nobody waits on them.
   */
  idleSince(cutoff: number, stuckCutoff: number): boolean {
    return this.lastActive < (this.waiters.size === 0 ? cutoff : stuckCutoff);
  }

  request(index: number): Promise<FetchedChunk> {
    this.lastActive = this.clock.now();
    if (index < this.position) {
      return Promise.reject(
        new PeerStreamerError(
          'INVALID_ARGUMENT',
          `chunk ${index} of ${JSON.stringify(this.video)} is behind this stream's position (${this.position}); open a new stream to go back.`,
          { index, position: this.position },
        ),
      );
    }
    if (this.waiters.has(index)) {
      return Promise.reject(
        new PeerStreamerError(
          'INVALID_ARGUMENT',
          `chunk ${index} was already requested on this stream and is pending.`,
          {
            index,
          },
        ),
      );
    }
    return new Promise<FetchedChunk>((resolve, reject) => {
      this.waiters.set(index, { resolve, reject });
      void this.pump();
    });
  }

  close(reason: string): void {
    this.reader.close();
    for (const waiter of this.waiters.values()) {
      waiter.reject(new PeerStreamerError('UNREACHABLE', `the stream was closed: ${reason}`));
    }
    this.waiters.clear();
  }

  /** Answers waiters in index order while the next one in line is waiting. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.waiters.has(this.position)) {
        const index = this.position;
        const waiter = this.waiters.get(index)!;
        try {
          const result = await this.reader.next();
          this.waiters.delete(index);
          if (result.done) {
            waiter.reject(
              new PeerStreamerError('CHUNK_NOT_FOUND', `the stream has ended; there is no chunk ${index}.`),
            );
            break;
          }
          this.store.unpinChunk(this.video, index);
          // Answering counts as activity: a slow fetch must not make the stream look idle.
          this.lastActive = this.clock.now();
          waiter.resolve(result.value);
        } catch (error) {
          // The fetcher already tried every holder and the master; this request fails, the next retries.
          this.waiters.delete(index);
          waiter.reject(error);
        }
      }
    } finally {
      this.pumping = false;
    }
  }
}

export interface StreamSessionOptions {
  /** How far each stream reads ahead and how many fetches it keeps going. Default: NODE_READ_AHEAD. */
  readAhead?: Partial<ReadAheadPolicy>;
  /** Sessions with no request waiting and none received for this long are closed. Default 10 s. */
  idleMs?: number;
  /** Sessions whose waiting requests are this old are closed too (the server's handler timeout). */
  stuckMs?: number;
  maxSessions?: number;
  /** Time for idleness and the sweep. Default: the system clock. */
  clock?: Clock;
}

export class StreamSessions {
  private readonly sessions = new Map<string, StreamSession>();
  /** Closes idle streams; runs only while there are streams. */
  private readonly sweeper: Ticker;
  private readonly clock: Clock;
  private readonly idleMs: number;
  private readonly stuckMs: number;
  private readonly maxSessions: number;
  private readonly readAhead: ReadAheadPolicy;

  constructor(
    private readonly fetcher: ChunkFetcher,
    private readonly store: ChunkPinning,
    options: StreamSessionOptions = {},
  ) {
    this.readAhead = readAheadPolicy(options.readAhead, NODE_READ_AHEAD);
    this.clock = options.clock ?? systemClock;
    this.idleMs = options.idleMs ?? 10_000;
    this.stuckMs = Math.max(this.idleMs, options.stuckMs ?? 30_000);
    this.maxSessions = options.maxSessions ?? 256;
    this.sweeper = new Ticker(this.clock, Math.max(50, Math.min(1_000, this.idleMs / 4)), () => {
      this.sweep();
      if (this.sessions.size === 0) this.sweeper.stop();
    });
  }

  get active(): number {
    return this.sessions.size;
  }

  /**
   * Answers `get` on stream `streamId` (per requesting peer), opening the stream on first use.
   * `chunks` are the video's, from its manifest, which the caller already checked `index` against:
   * their times turn the read-ahead's seconds into chunks. A stream plays the list it was opened with (a
   * live stream's as it stood then), whose indexes may start above 0. Opening is synchronous, so the several
   * requests a client sends at once all find the same stream (an await here let each open its own,
   * orphaning the first with its pins).
   */
  async get(
    peerKey: string,
    streamId: string,
    video: string,
    index: number,
    chunks: TimedChunks,
  ): Promise<FetchedChunk> {
    const key = `${peerKey}\u0000${streamId}`;
    let session = this.sessions.get(key);
    if (session && session.video !== video) {
      throw new PeerStreamerError(
        'INVALID_ARGUMENT',
        `stream ${JSON.stringify(streamId)} plays ${JSON.stringify(session.video)}, not ${JSON.stringify(video)}; use a new streamId.`,
      );
    }
    if (!session) {
      if (this.sessions.size >= this.maxSessions) this.sweep(true);
      session = new StreamSession(
        peerKey,
        video,
        index,
        chunks,
        this.fetcher,
        this.store,
        this.readAhead,
        this.clock,
      );
      this.sessions.set(key, session);
      this.sweeper.start();
    }
    const chunk = await session.request(index);
    // The last chunk is handed out: the play is over, so its stream stops counting at once.
    if (session.finished) this.drop(key, session, 'played to the end');
    return chunk;
  }

  /** A client's `end-stream`: true when there was such a stream on that connection. */
  end(peerKey: string, streamId: string): boolean {
    const key = `${peerKey}\u0000${streamId}`;
    const session = this.sessions.get(key);
    if (session) this.drop(key, session, 'ended by the client');
    return session !== undefined;
  }

  /** The connection `peerKey` is gone: its streams end with it. Returns how many ended. */
  closePeer(peerKey: string, reason: string): number {
    let closed = 0;
    for (const [key, session] of this.sessions) {
      if (session.peerKey !== peerKey) continue;
      this.drop(key, session, reason);
      closed += 1;
    }
    return closed;
  }

  close(): void {
    this.sweeper.stop();
    for (const session of this.sessions.values()) session.close('node shutting down');
    this.sessions.clear();
  }

  private drop(key: string, session: StreamSession, reason: string): void {
    // Only the session still registered under the key: a stream reopened meanwhile stays.
    if (this.sessions.get(key) !== session) return;
    this.sessions.delete(key);
    session.close(reason);
  }

  private sweep(evictOldest = false): void {
    const now = this.clock.now();
    const cutoff = now - this.idleMs;
    const stuckCutoff = now - this.stuckMs;
    let oldest: [string, StreamSession] | undefined;
    for (const [key, session] of this.sessions) {
      if (session.idleSince(cutoff, stuckCutoff)) {
        this.drop(key, session, 'idle');
      } else if (!oldest || session.lastActive < oldest[1].lastActive) {
        oldest = [key, session];
      }
    }
    if (evictOldest && oldest && this.sessions.size >= this.maxSessions) {
      this.drop(oldest[0], oldest[1], 'too many streams');
    }
  }
}
