/**
 * The CLI's side of the control channel: find the node serving a store, send one command, and read
 * its events and final line. Every line from the node is validated; an `error` line becomes a
 * PeerStreamerError with the node's code (VIDEO_EXISTS stays VIDEO_EXISTS), so a command handles a
 * running node's failures as it handles its own.
 */
import type net from 'node:net';
import { once } from 'node:events';
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
  KeptVideo,
  LiveSessionInfo,
  LiveStartRequest,
  LiveStopRequest,
  NoticeEvent,
} from './messages.js';
import { reachPipe } from './pipe-endpoint.js';
import { encodeRequest, parseNodeLine, type NodeLine } from './schema.js';
import { canonicalStoreDir } from './socket-path.js';
import { readTokenFile } from './token.js';
import { transportFor, type ControlTransportOptions } from './transport.js';
import { reachUnixSocket } from './unix-endpoint.js';

/**
 * The node serving `storeDir`, connected; null when none is (no socket or pipe, or what a killed node
 * left: the caller then opens the store itself). Throws when a node is there but this user may not
 * use it. `options` choose the platform's transport (tests inject Windows' on Linux).
 */
export async function connectToNode(
  storeDir: string,
  options: ControlTransportOptions = {},
): Promise<ControlClient | null> {
  const dir = await canonicalStoreDir(storeDir);
  const platform = options.platform ?? process.platform;
  if (transportFor(platform) === 'pipe') {
    const reached = await reachPipe(dir, options.pipeNamespace);
    return reached === null ? null : new ControlClient(reached.socket, reached.path, reached.token);
  }
  const reached = await reachUnixSocket(dir, platform);
  if (reached === null) return null;
  // Read once connected, so it is the running node's. A store without a readable token is sent
  // none, and the node's UNAUTHORIZED says where a client finds it.
  return new ControlClient(reached.socket, reached.path, await readTokenFile(dir));
}

/** One connection to a node: one command, then it is closed. */
export class ControlClient {
  private used = false;

  constructor(
    private readonly socket: net.Socket,
    readonly socketPath: string,
    /** Sent with the request; a node refuses a request without it (core/control/token.ts). */
    private readonly token?: string,
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

  /**
   * Writes the video's bytes into `out` as they arrive, waiting whenever `out` is full. A failure of
   * `out` itself (a full disk) is thrown as `out` raised it, not as a failed connection, so the
   * caller can tell its output's errors from the node's.
   */
  async export(request: ExportRequest, out: Writable): Promise<{ bytes: number; chunks: number }> {
    let received = 0;
    const result = await this.call(
      { type: 'export', ...request },
      () => undefined,
      async (bytes) => {
        received += bytes.length;
        // An output that already failed would take the write without a word and never drain.
        if (out.errored) throw out.errored;
        if (!out.write(bytes)) await once(out, 'drain');
      },
    );
    if (result.bytes !== received)
      throw this.badReply(`export-ok says ${result.bytes} bytes; ${received} were sent`);
    return result;
  }

  async liveStart(request: LiveStartRequest): Promise<LiveSessionInfo> {
    return (await this.call({ type: 'live-start', ...request }, () => undefined)).session;
  }

  async liveStop(request: LiveStopRequest): Promise<{ session: LiveSessionInfo; kept: KeptVideo | null }> {
    return this.call({ type: 'live-stop', ...request }, () => undefined);
  }

  async liveList(): Promise<LiveSessionInfo[]> {
    return (await this.call({ type: 'live-list' }, () => undefined)).sessions;
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
      this.socket.write(encodeRequest(request as never, this.token));
      for await (const chunk of this.socket as AsyncIterable<Buffer>) {
        for (const piece of reader.push(chunk)) {
          if (final !== undefined)
            throw new ControlProblem('BAD_REPLY', 'the node sent more after its final line');
          if (piece.kind === 'bytes') {
            if (onBytes === undefined)
              throw new ControlProblem('BAD_REPLY', 'raw bytes for a command that has none');
            await onBytes(piece.bytes).catch((error: unknown) => {
              throw new OutputFailed(error);
            });
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
      // The caller's own output failed: its error, unchanged, is the caller's to word.
      if (error instanceof OutputFailed) throw error.cause;
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

/** What the consumer of a command's bytes threw: carried past the connection's own error handling. */
class OutputFailed extends Error {
  constructor(override readonly cause: unknown) {
    super('the output failed', { cause });
  }
}
