/**
 * The live streams of one node, by name: the one path for the control channel's `live-start`,
 * `live-stop` and `live-list`. Names are shared with the node's videos: a live stream cannot take a
 * video's name, and a recording cannot take a stream's.
 *
 * Starting a name whose stream this node published and that is over (ended, failed, or left `live`
 * by a node that stopped without ending it) goes on with the same stream id: the next chunk follows
 * the last on the stream's timeline and is marked as a discontinuity. The stream's chunks are kept
 * meanwhile, so a viewer's DVR keeps working across an input restart. (Only when the new input's init
 * segment differs, another codec or picture size, a new stream replaces the old under the name.)
 */
import { EventEmitter } from 'node:events';
import { parseLiveInputSpec } from '../media/live-input-spec.js';
import type { LiveChunkEntry, LiveManifest, MediaManifest } from '../shared/manifest.js';
import { MAX_LIVE_WINDOW_SECONDS } from '../shared/manifest-schema.js';
import type { ChunkStore } from '../store/chunk-store.js';
import { isLiveManifest } from '../trust/live-signature.js';
import { LiveManifestBuilder } from '../trust/live-manifest-builder.js';
import type { PublisherKeyPair } from '../trust/publisher-key.js';
import { PeerStreamerError, errorMessage } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { assertVideoName } from '../util/video-name-check.js';
import { LiveSession, type LiveSessionInfo } from './live-session.js';

/** Sessions `live ls` lists at most (`live-list`'s bound); the oldest that are over are forgotten. */
const MAX_SESSIONS_LISTED = 1000;

/** How long `live start` waits for the first chunk before answering that the input is still opening. */
export const FIRST_CHUNK_WAIT_MS = 8_000;

export interface LiveStartRequest {
  name: string;
  /** A spec as parseLiveInputSpec reads it (a file's path absolute: the node's directory is not the client's). */
  input: string;
  loop?: boolean;
  window: number;
  stallSeconds?: number;
  reconnectSeconds?: number;
  chunkDuration?: number;
}

interface LiveSessionsEvents {
  /** A chunk stored and named by the stream's manifest: what an announcer pushes down the tree. */
  chunk: [name: string, entry: LiveChunkEntry, manifest: LiveManifest];
  end: [info: LiveSessionInfo];
}

export class LiveSessions extends EventEmitter<LiveSessionsEvents> {
  private readonly sessions = new Map<string, LiveSession>();
  /** Names being started, so two starts of one name cannot race. */
  private readonly starting = new Set<string>();
  private closed = false;

  constructor(
    private readonly node: {
      store: ChunkStore;
      logger: Logger;
      key: () => Promise<PublisherKeyPair>;
      /** First-chunk wait, shorter in tests. */
      firstChunkWaitMs?: number;
    },
  ) {
    super();
  }

  /** Whether `name` is a stream running here (its manifest changes: not a name to reuse). */
  isRunning(name: string): boolean {
    return this.sessions.get(name)?.running === true;
  }

  list(): LiveSessionInfo[] {
    return [...this.sessions.values()].map((session) => session.info());
  }

  /**
   * Starts a live stream and answers once its first chunk is stored, or with the input's one-line
   * error when it fails first, or (an RTMP/SRT listener waiting for its publisher, a slow camera)
   * after FIRST_CHUNK_WAIT_MS with the session still `starting`.
   */
  async start(request: LiveStartRequest): Promise<LiveSessionInfo> {
    if (this.closed) throw stopping(request.name);
    const { name } = request;
    assertVideoName(name);
    checkWindow(request.window);
    const input = parseLiveInputSpec(request.input, { loop: request.loop === true });
    if (input.kind === 'file' && !input.path.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(input.path)) {
      throw new PeerStreamerError(
        'INVALID_ARGUMENT',
        `live input file ${JSON.stringify(input.path)} is not an absolute path; the node's working directory is not yours: give the full path.`,
        { input: request.input },
      );
    }
    if (this.isRunning(name) || this.starting.has(name)) {
      throw new PeerStreamerError(
        'VIDEO_EXISTS',
        `the live stream ${JSON.stringify(name)} is already running on this node (${this.sessions.get(name)?.description ?? 'starting'}); stop it first with \`peerstreamer live stop ${name}\`, or pick another name.`,
        { video: name },
      );
    }
    this.starting.add(name);
    try {
      const key = await this.node.key();
      const resume = this.resumable(name, key);
      const session = await LiveSession.start({
        name,
        input,
        window: request.window,
        ...(request.stallSeconds !== undefined ? { stallSeconds: request.stallSeconds } : {}),
        ...(request.reconnectSeconds !== undefined ? { reconnectSeconds: request.reconnectSeconds } : {}),
        ...(request.chunkDuration !== undefined ? { chunkDuration: request.chunkDuration } : {}),
        ...(resume !== undefined ? { resume } : {}),
        store: this.node.store,
        key,
        logger: this.node.logger,
      });
      this.sessions.delete(name);
      this.sessions.set(name, session);
      this.forgetOldest();
      session.on('chunk', (entry, manifest) => this.emit('chunk', name, entry, manifest));
      session.on('end', (info) => this.emit('end', info));
      const info = await session.settledWithin(this.node.firstChunkWaitMs ?? FIRST_CHUNK_WAIT_MS);
      // Failed before its first chunk: the caller is told why, as the input's own error.
      if (info.state === 'failed' && session.error !== null) throw session.error;
      return info;
    } finally {
      this.starting.delete(name);
    }
  }

  /**
   * Stops a stream (or forgets one that is over) and with `keep` stores its recording as a video of
   * that name. A --keep that cannot be honoured (the name is taken, the window dropped chunks) is
   * refused before anything stops.
   */
  async stop(name: string, keep?: string): Promise<{ info: LiveSessionInfo; kept: MediaManifest | null }> {
    const session = this.sessions.get(name);
    if (session === undefined) {
      throw new PeerStreamerError(
        'VIDEO_NOT_FOUND',
        `no live stream named ${JSON.stringify(name)} on this node${this.sessions.size > 0 ? ` (it has ${[...this.sessions.keys()].map((known) => JSON.stringify(known)).join(', ')})` : ''}; \`peerstreamer live ls\` lists them.`,
        { video: name },
      );
    }
    if (keep !== undefined) {
      assertVideoName(keep, 'name to keep the recording as');
      if (this.node.store.getManifest(keep) !== undefined || this.sessions.has(keep)) {
        throw new PeerStreamerError(
          'VIDEO_EXISTS',
          `cannot keep the recording of ${JSON.stringify(name)} as ${JSON.stringify(keep)}: that name is taken on this node. Nothing was stopped; give --keep another name.`,
          { video: name, keep },
        );
      }
      const problem = session.keepProblem();
      if (problem !== null) {
        throw new PeerStreamerError(
          'INVALID_ARGUMENT',
          `cannot keep the recording of ${JSON.stringify(name)}: ${problem}. Nothing was stopped or kept; run \`peerstreamer live stop ${name}\` without --keep to stop it.`,
          { video: name, keep },
        );
      }
    }
    const info = await session.stop();
    const kept = keep === undefined ? null : await session.keep(keep);
    return { info, kept };
  }

  /** Keeps at most MAX_SESSIONS_LISTED, forgetting the oldest that are over (their manifests stay). */
  private forgetOldest(): void {
    for (const [name, session] of this.sessions) {
      if (this.sessions.size <= MAX_SESSIONS_LISTED) return;
      if (!session.running) this.sessions.delete(name);
    }
  }

  /** Stops every stream (its manifest ended) before the store closes. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.sessions.values()].map((session) => session.stop()));
  }

  /**
   * Streams this key published that were left `live` by a node that stopped without ending them (it
   * was killed): ended as `failed` now, so no viewer waits on a stream nobody feeds. A later `live
   * start` of the name goes on with it.
   */
  async endAbandoned(): Promise<void> {
    const key = await this.node.key();
    for (const video of this.node.store.listVideos()) {
      const manifest = video.manifest;
      if (!isLiveManifest(manifest) || manifest.live.state !== 'live') continue;
      if (manifest.publisher !== key.publicKey || this.sessions.has(video.name)) continue;
      try {
        const builder = LiveManifestBuilder.resume(manifest, key);
        builder.end('failed');
        this.node.store.putManifest(builder.manifest());
        this.node.logger.info(
          { video: video.name },
          'live stream left running by an earlier run ended as failed',
        );
      } catch (error) {
        this.node.logger.warn(
          { video: video.name, err: errorMessage(error) },
          'could not end an abandoned live stream',
        );
      }
    }
  }

  /** The stored stream to go on with, when `name` is one this key published; else the name is taken. */
  private resumable(name: string, key: PublisherKeyPair): LiveManifest | undefined {
    const stored = this.node.store.getManifest(name);
    if (stored === undefined) return undefined;
    if (isLiveManifest(stored) && stored.publisher === key.publicKey) return stored;
    throw new PeerStreamerError(
      'VIDEO_EXISTS',
      `cannot go live as ${JSON.stringify(name)}: the store ${this.node.store.dir} already has ${isLiveManifest(stored) ? "another publisher's live stream" : 'a video'} of that name. Pick another name for the stream.`,
      { video: name },
    );
  }
}

function checkWindow(window: number): void {
  if (!Number.isSafeInteger(window) || window < 0 || window > MAX_LIVE_WINDOW_SECONDS) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `live --window ${String(window)} is not valid; give whole seconds from 0 (keep every chunk) to ${MAX_LIVE_WINDOW_SECONDS}, e.g. --window 300.`,
      { window },
    );
  }
}

function stopping(name: string): PeerStreamerError {
  return new PeerStreamerError('UNREACHABLE', `cannot start ${JSON.stringify(name)}: the node is stopping.`, {
    video: name,
  });
}
