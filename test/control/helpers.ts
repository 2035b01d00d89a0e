/**
 * In-process fixtures for the control channel: real PeerNodes (real SQLite stores, real ZeroMQ and
 * Unix sockets, real ffmpeg) in temp directories, and a raw socket client for sending what the CLI
 * never would.
 */
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { ControlTransportOptions } from '../../core/control/transport.js';
import { PeerClient } from '../../core/net/client.js';
import { PeerNode, type PeerNodeOptions } from '../../core/node/peer-node.js';
import { nodeConfigFromFlags } from '../../core/node/node-config.js';
import { ChunkStore } from '../../core/store/chunk-store.js';
import { ingestVideo } from '../../core/library/ingest.js';
import { silentLogger, type Logger } from '../../core/util/logger.js';

export class Fixture {
  private readonly dirs: string[] = [];
  private readonly nodes: PeerNode[] = [];

  /** Not tempDir's longer prefix: control sockets live in these, and macOS's sun_path holds 103 bytes. */
  dir(prefix: string): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), `ps-control-${prefix}-`));
    this.dirs.push(dir);
    return dir;
  }

  /** A node on `store`, as `peerstreamer node` would run it; a child when `master` is given. */
  async node(
    name: string,
    store: string,
    master?: PeerNode,
    options: PeerNodeOptions = {},
  ): Promise<PeerNode> {
    const node = await PeerNode.start(
      nodeConfigFromFlags({
        name,
        port: '0',
        ip: '127.0.0.1',
        bind: '127.0.0.1',
        store,
        ...(master ? { master: master.address } : {}),
      }),
      { logger: silentLogger(), ...options },
    );
    this.nodes.push(node);
    return node;
  }

  /**
   * The Windows transport, injected: on Windows itself real named pipes; elsewhere the same code with
   * a private directory standing in for `\\.\pipe\`, so the pipe-mode server and client meet on a
   * Unix socket there. The directory is in /tmp, not the temp directory: macOS's is so deep that a
   * socket path in it would pass the 103 bytes sun_path holds.
   */
  windowsTransport(): ControlTransportOptions & { platform: 'win32' } {
    if (process.platform === 'win32') return { platform: 'win32' };
    const namespace = mkdtempSync('/tmp/ps-pipes-');
    this.dirs.push(namespace);
    return { platform: 'win32', pipeNamespace: `${namespace}/` };
  }

  async cleanup(): Promise<void> {
    for (const node of this.nodes.splice(0)) await node.stop();
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}

/** A store holding `video`, ingested directly (not through the code under test). */
export async function storeWith(dir: string, video: string, file: string): Promise<void> {
  const store = await ChunkStore.open(dir);
  try {
    await ingestVideo(store, file, { name: video, chunkDuration: 1 });
  } finally {
    store.close();
  }
}

/**
 * Connects to a control socket, writes `payload` (kept open unless `end`), and collects what the node
 * sends until it closes the connection. Resolves with the lines.
 */
export function exchange(
  socketPath: string,
  payload: string | Buffer,
  options: { end?: boolean } = {},
): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    const received: Buffer[] = [];
    socket.on('connect', () => {
      if (payload.length > 0) socket.write(payload);
      if (options.end) socket.end();
    });
    socket.on('data', (data: Buffer) => received.push(data));
    // The node may close while a large payload is still being written: what it said is what counts.
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
    socket.on('close', () => resolve(linesOf(Buffer.concat(received))));
  });
}

export function linesOf(bytes: Buffer): string[] {
  return bytes
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '');
}

export const request = (value: unknown): string => `${JSON.stringify(value)}\n`;

/** True when `node` still answers its peers over ZeroMQ (whatever became of its control channel). */
export async function answersPeers(node: PeerNode): Promise<boolean> {
  const client = new PeerClient({ timeoutMs: 2_000 });
  try {
    return (await client.request(node.address, { type: 'ping' })).reply.name === node.config.name;
  } finally {
    await client.close();
  }
}

/** A logger that keeps what it is told, for tests that check what a node said and at what level. */
export function recordingLogger(): {
  logger: Logger;
  said: (pattern: RegExp) => Array<{ level: number; msg: string }>;
} {
  const records: Array<{ level: number; msg: string }> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') records.push(JSON.parse(line) as { level: number; msg: string });
      }
      callback();
    },
  });
  return {
    logger: pino({ level: 'debug' }, stream),
    said: (pattern) => records.filter((record) => pattern.test(record.msg)),
  };
}
