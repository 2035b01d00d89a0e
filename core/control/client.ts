/**
 * The CLI's side of the control channel: find the node serving a store, send one command, and read
 * its events and final line. Every line from the node is validated; an `error` line becomes a
 * PeerStreamerError with the node's code (VIDEO_EXISTS stays VIDEO_EXISTS), so a command handles a
 * running node's failures as it handles its own.
 */
import type net from 'node:net';
import { once } from 'node:events';
import { lstat } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type { MediaManifest } from '../shared/manifest.js';
import type { VideoSummary } from '../store/types.js';
import type { StoreCheck } from '../library/check-store.js';
import { PeerStreamerError, errorMessage } from '../util/errors.js';
import { ControlProblem, errorFromNode } from './errors.js';
import { FrameReader } from './framing.js';
import { MAX_REPLY_LINE_BYTES } from './limits.js';
import type {
  AddRequest,
  ControlCommand,
  ControlEvent,
  ControlRequestOf,
  ControlResultFields,
  ExportRequest,
  IngestProgressEvent,
  NoticeEvent,
} from './messages.js';
import { encodeRequest, parseNodeLine, type NodeLine } from './schema.js';
import { canonicalStoreDir, locateSocket } from './socket-path.js';
import { probeSocket, socketOwnerProblem } from './socket-guard.js';

/**
 * The node serving `storeDir`, connected; null when none is (no socket, or one left by a node that
 * was killed: the caller then opens the store itself). Throws when a socket is there but this user
 * may not use it.
 */
export async function connectToNode(storeDir: string): Promise<ControlClient | null> {
  const dir = await canonicalStoreDir(storeDir);
  const socketPath = await locateSocket(dir);
  if (socketPath === undefined) return null;
  // Nothing to look at (no such file, a store path that is not a directory, a directory this user
  // may not read): no node to talk to; opening the store explains what is wrong with the path.
  // A file that is not a socket is no node either (the node that found it there runs without one).
  const info = await lstat(socketPath).catch(() => undefined);
  if (info === undefined || !info.isSocket()) return null;
  const owner = socketOwnerProblem(socketPath, info);
  if (owner !== null) {
    throw new PeerStreamerError(
      'STORE_LOCKED',
      `the store ${dir} is served by a node this user may not control: ${owner}. Run the command as the user who runs that node.`,
      { dir, socket: socketPath },
    );
  }
  const probe = await probeSocket(socketPath);
  if (probe.state === 'live') return new ControlClient(probe.socket, socketPath);
  if (probe.state === 'unusable') {
    throw new PeerStreamerError(
      'UNREACHABLE',
      `the store ${dir} has a control socket ${socketPath} that cannot be used (${probe.reason}). If its node runs as another user, run the command as that user; if no node runs, remove the socket.`,
      { dir, socket: socketPath },
    );
  }
  return null;
}

/** One connection to a node: one command, then it is closed. */
export class ControlClient {
  private used = false;

  constructor(
    private readonly socket: net.Socket,
    readonly socketPath: string,
  ) {
    // Errors surface through the reads below; without a listener one would crash the process.
    socket.on('error', () => undefined);
  }

  async add(
    request: AddRequest,
    onProgress: (progress: IngestProgressEvent) => void,
    onNotice: (notice: NoticeEvent) => void = () => undefined,
  ): Promise<MediaManifest> {
    const { manifest } = await this.call({ type: 'add', ...request }, (event) => {
      if (event.type === 'progress') onProgress(event);
      else if (event.type === 'notice') onNotice({ level: event.level, text: event.text });
    });
    // An ingest always cuts fMP4; only an import makes legacy videos.
    if (manifest.kind !== 'fmp4') throw this.badReply(`add-ok carries a ${manifest.kind} manifest`);
    return manifest;
  }

  async ls(): Promise<VideoSummary[]> {
    const videos: VideoSummary[] = [];
    const result = await this.call({ type: 'ls' }, (event) => {
      if (event.type === 'video') videos.push(event.video);
    });
    if (result.count !== videos.length)
      throw this.badReply(`ls-ok counts ${result.count} videos; ${videos.length} were sent`);
    return videos;
  }

  async verify(): Promise<StoreCheck> {
    return (await this.call({ type: 'verify' }, () => undefined)).report;
  }

  /** Writes the video's bytes into `out` as they arrive, waiting whenever `out` is full. */
  async export(request: ExportRequest, out: Writable): Promise<{ bytes: number; chunks: number }> {
    let received = 0;
    const result = await this.call(
      { type: 'export', ...request },
      () => undefined,
      async (bytes) => {
        received += bytes.length;
        if (!out.write(bytes)) await once(out, 'drain');
      },
    );
    if (result.bytes !== received)
      throw this.badReply(`export-ok says ${result.bytes} bytes; ${received} were sent`);
    return result;
  }

  close(): void {
    this.socket.destroy();
  }

  private async call<K extends ControlCommand>(
    request: ControlRequestOf<K>,
    onEvent: (event: ControlEvent) => void,
    onBytes?: (bytes: Buffer) => Promise<void>,
  ): Promise<ControlResultFields[K]> {
    if (this.used)
      throw new PeerStreamerError(
        'INVALID_ARGUMENT',
        'a control connection carries one command; connect again',
      );
    this.used = true;
    const reader = new FrameReader(
      MAX_REPLY_LINE_BYTES,
      (limit) => new ControlProblem('BAD_REPLY', `a line from the node is longer than ${limit} bytes`),
    );
    let final: Exclude<NodeLine<K>, { kind: 'event' }> | undefined;
    try {
      this.socket.write(encodeRequest(request as never));
      for await (const chunk of this.socket as AsyncIterable<Buffer>) {
        for (const piece of reader.push(chunk)) {
          if (final !== undefined)
            throw new ControlProblem('BAD_REPLY', 'the node sent more after its final line');
          if (piece.kind === 'bytes') {
            if (onBytes === undefined)
              throw new ControlProblem('BAD_REPLY', 'raw bytes for a command that has none');
            await onBytes(piece.bytes);
            continue;
          }
          const line = parseNodeLine(request.type, piece.line);
          if (line.kind !== 'event') final = line;
          else {
            if (line.event.type === 'data') reader.expectBytes(line.event.size);
            onEvent(line.event);
          }
        }
        if (final !== undefined) break;
      }
    } catch (error) {
      this.close();
      if (error instanceof ControlProblem) throw this.badReply(error.message);
      if (error instanceof PeerStreamerError) throw error;
      throw new PeerStreamerError(
        'UNREACHABLE',
        `the control connection to the node (${this.socketPath}) failed: ${errorMessage(error)}`,
        { socket: this.socketPath },
        { cause: error },
      );
    }
    this.close();
    if (final === undefined) {
      throw new PeerStreamerError(
        'UNREACHABLE',
        `the node closed its control connection (${this.socketPath}) before ${request.type} finished; it may have stopped. Check its log, then run the command again.`,
        { socket: this.socketPath },
      );
    }
    if (final.kind === 'error') throw errorFromNode(final.code, final.message, this.socketPath);
    return final.result;
  }

  private badReply(detail: string): PeerStreamerError {
    return new PeerStreamerError(
      'PROTOCOL',
      `the node on ${this.socketPath} sent an invalid control reply: ${detail}`,
      { socket: this.socketPath },
    );
  }
}
