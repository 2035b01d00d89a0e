import { ReadAhead } from '../stream/read-ahead.js';
import type { ChunkFetcher, FetchedChunk } from '../stream/chunk-fetcher.js';
import type { ChunkStore } from '../store/chunk-store.js';
import { PeerStreamerError } from '../util/errors.js';

/**
 * Streams that play clients (`peerstreamer play`, the original video_streamer.js) open on a node by
 * sending `get` with a streamId. The node reads ahead for each stream and answers strictly in order,
 * as the original did: a request for a later chunk waits for the earlier ones; a duplicate request
 * for a chunk still pending is refused; a request behind the stream's position is an error.
 */
interface Waiter {
  resolve(chunk: FetchedChunk): void;
  reject(error: unknown): void;
}

class StreamSession {
  private readonly reader: ReadAhead<FetchedChunk>;
  private readonly waiters = new Map<number, Waiter>();
  private pumping = false;
  lastActive = Date.now();

  constructor(
    readonly video: string,
    start: number,
    end: number,
    private readonly fetcher: ChunkFetcher,
    private readonly store: ChunkStore,
    window: number,
    concurrency: number,
  ) {
    this.reader = new ReadAhead<FetchedChunk>({
      start,
      end,
      window,
      concurrency,
      fetch: async (index, signal) => {
        // Pinned while read ahead, so the cache cannot evict it before it is played.
        store.pinChunk(video, index);
        try {
          return await fetcher.fetch(video, index, signal);
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

  request(index: number): Promise<FetchedChunk> {
    this.lastActive = Date.now();
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
  window: number;
  concurrency: number;
  /** Sessions idle this long are closed and their pins released. */
  idleMs?: number;
  maxSessions?: number;
}

export class StreamSessions {
  private readonly sessions = new Map<string, StreamSession>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly idleMs: number;
  private readonly maxSessions: number;

  constructor(
    private readonly fetcher: ChunkFetcher,
    private readonly store: ChunkStore,
    private readonly options: StreamSessionOptions,
  ) {
    this.idleMs = options.idleMs ?? 30_000;
    this.maxSessions = options.maxSessions ?? 256;
    this.sweeper = setInterval(() => this.sweep(), Math.min(5_000, this.idleMs));
    this.sweeper.unref();
  }

  get active(): number {
    return this.sessions.size;
  }

  /** Answers `get` on stream `streamId` (per requesting peer), opening the stream on first use. */
  async get(peerKey: string, streamId: string, video: string, index: number): Promise<FetchedChunk> {
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
      const manifest = await this.fetcher.manifest(video);
      session = new StreamSession(
        video,
        index,
        manifest.chunks.length,
        this.fetcher,
        this.store,
        this.options.window,
        this.options.concurrency,
      );
      this.sessions.set(key, session);
    }
    return session.request(index);
  }

  close(): void {
    clearInterval(this.sweeper);
    for (const session of this.sessions.values()) session.close('node shutting down');
    this.sessions.clear();
  }

  private sweep(evictOldest = false): void {
    const cutoff = Date.now() - this.idleMs;
    let oldest: [string, StreamSession] | undefined;
    for (const entry of this.sessions) {
      if (entry[1].lastActive < cutoff) {
        entry[1].close('idle');
        this.sessions.delete(entry[0]);
      } else if (!oldest || entry[1].lastActive < oldest[1].lastActive) {
        oldest = entry;
      }
    }
    if (evictOldest && oldest && this.sessions.size >= this.maxSessions) {
      oldest[1].close('too many streams');
      this.sessions.delete(oldest[0]);
    }
  }
}
