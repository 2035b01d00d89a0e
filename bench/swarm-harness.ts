/**
 * Multi-process plumbing for the node benchmarks: real `peerstreamer node` processes (the compiled CLI)
 * or the bench's own node child (node-child.ts: the same PeerNode code, plus an event-loop monitor),
 * each with its own store and real ZeroMQ sockets on 127.0.0.1. bench/ is compiled on its own, so this
 * cannot share test/helpers; it keeps only what the benchmarks need.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';

import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { ffmpegPath } from '../core/media/ffmpeg-binaries.js';
import type { PeerClient } from '../core/net/client.js';
import type { NodeStats } from '../core/shared/api-types.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** dist/bench/ -> dist/core/cli/main.js: the CLI `npm run build` produces beside the bench. */
export const CLI = path.join(HERE, '..', 'core', 'cli', 'main.js');
const NODE_CHILD = path.join(HERE, 'node-child.js');

/** Kept per process so a chatty node cannot grow the bench's memory; enough to explain a failure. */
const MAX_LOG_LINES = 400;

import { freePort } from '../core/util/free-port.js';

export { freePort };

export interface CliResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

export function runCli(args: string[], timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { timeout: timeoutMs, maxBuffer: 512 * 1024 * 1024, encoding: 'buffer' },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr: stderr.toString('utf8') });
      },
    );
  });
}

export async function mustRunCli(args: string[]): Promise<Buffer> {
  const result = await runCli(args);
  if (result.code !== 0) throw new Error(`peerstreamer ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

/**
 * A test clip from the real ffmpeg: testsrc2 and a sine tone, H.264/AAC, one keyframe a second so that
 * --chunk-duration 1s cuts one chunk per second.
 */
export async function makeTestVideo(file: string, seconds: number, size = '640x360'): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    execFile(
      ffmpegPath(),
      [
        ...['-nostdin', '-v', 'error', '-y'],
        ...['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=30:duration=${seconds}`],
        ...['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`],
        ...['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p'],
        ...['-g', '30', '-keyint_min', '30', '-sc_threshold', '0'],
        ...['-c:a', 'aac', '-b:a', '96k', '-shortest', '-movflags', '+faststart', file],
      ],
      (error) => (error ? reject(error) : resolve()),
    );
  });
}

/** Memory of a live process from /proc, in MB (VmHWM is the kernel's own peak-RSS record). */
export function memoryOf(pid: number): { rssMB: number; peakMB: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1]);
    return { rssMB: kb('VmRSS') / 1024, peakMB: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

export async function statsOf(client: PeerClient, address: string): Promise<NodeStats> {
  const { reply } = await client.request(address, { type: 'stats' }, { timeoutMs: 5_000 });
  return reply.stats as unknown as NodeStats;
}

export class BenchNode {
  readonly logs: string[] = [];
  protected readonly exitedPromise: Promise<void>;

  constructor(
    readonly name: string,
    readonly port: number,
    readonly child: ChildProcess,
  ) {
    // Always drained: a node that logs synchronously to a full pipe would stall.
    let partial = '';
    const collect = (data: Buffer): void => {
      const lines = (partial + data.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) this.logs.push(line);
      if (this.logs.length > MAX_LOG_LINES) this.logs.splice(0, this.logs.length - MAX_LOG_LINES);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.exitedPromise = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  get address(): string {
    return `tcp://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    return this.child.pid!;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async waitForLog(text: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.logs.some((line) => line.includes(text))) return;
      if (!this.alive) throw new Error(`${this.name} exited before logging ${text}:\n${this.tail()}`);
      await sleep(20);
    }
    throw new Error(`${this.name} did not log ${text} within ${timeoutMs} ms:\n${this.tail()}`);
  }

  tail(lines = 20): string {
    return this.logs.slice(-lines).join('\n');
  }

  async kill(): Promise<void> {
    if (this.alive) this.child.kill('SIGKILL');
    await this.exitedPromise;
  }
}

/** What the bench's in-process node child reports (see node-child.ts). */
export interface LoopDelayReport {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
  samples: number;
  /** performance.eventLoopUtilization over the same window: 1 = never idle. */
  utilization: number;
  /** CPU seconds the process used per wall second over the window. */
  cpuShare: number;
}

/** A node run by node-child.ts: the real PeerNode, with an event-loop delay monitor reachable over IPC. */
export class MonitoredNode extends BenchNode {
  private replies = new Map<string, (message: unknown) => void>();

  constructor(name: string, port: number, child: ChildProcess) {
    super(name, port, child);
    child.on('message', (message: { type?: string }) => {
      const waiter = message.type ? this.replies.get(message.type) : undefined;
      if (waiter) {
        this.replies.delete(message.type!);
        waiter(message);
      }
    });
  }

  /** Sends `type` and resolves with the child's reply of type `replyType`. */
  ask<T>(type: string, replyType: string, timeoutMs = 20_000): Promise<T> {
    const reply = this.waitFor<T>(replyType, timeoutMs);
    this.child.send({ type });
    return reply;
  }

  /** Resolves with the child's next message of type `replyType`. */
  waitFor<T>(replyType: string, timeoutMs = 20_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.replies.delete(replyType);
        reject(new Error(`${this.name} did not send ${replyType} within ${timeoutMs} ms:\n${this.tail()}`));
      }, timeoutMs);
      this.replies.set(replyType, (message) => {
        clearTimeout(timer);
        resolve(message as T);
      });
      void this.exitedPromise.then(() => reject(new Error(`${this.name} exited:\n${this.tail()}`)));
    });
  }

  startLoopMonitor(): Promise<unknown> {
    return this.ask('eld-start', 'eld-started');
  }

  loopDelay(): Promise<LoopDelayReport> {
    return this.ask<LoopDelayReport>('eld-report', 'eld-report');
  }
}

export interface StartOptions {
  name: string;
  store?: string;
  master?: string;
  extra?: string[];
}

/** Owns every process and temp dir it made; `stop` SIGKILLs and removes them all. */
export class BenchSwarm {
  readonly nodes: BenchNode[] = [];
  private readonly dirs: string[] = [];

  dir(prefix: string): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), `peerstreamer-bench-${prefix}-`));
    this.dirs.push(dir);
    return dir;
  }

  private async flags(options: StartOptions): Promise<{ port: number; args: string[] }> {
    const port = await freePort();
    const store = options.store ?? this.dir(`store-${options.name}`);
    const args = ['--name', options.name, '--port', String(port), '--ip', '127.0.0.1', '--store', store];
    if (options.master) args.push('--master', options.master);
    args.push('--json-logs', ...(options.extra ?? []));
    return { port, args };
  }

  /** A `peerstreamer node` process; resolves once it is listening (source) or registered (child). */
  async start(options: StartOptions): Promise<BenchNode> {
    const { port, args } = await this.flags(options);
    const child = spawn(process.execPath, [CLI, 'node', ...args], {
      env: { ...process.env, PEERSTREAMER_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const node = new BenchNode(options.name, port, child);
    this.nodes.push(node);
    await node.waitForLog(options.master ? 'registered with the master' : 'listening');
    return node;
  }

  /** A node run by node-child.ts; resolves once it is registered (or listening, for a source). */
  async startMonitored(options: StartOptions): Promise<MonitoredNode> {
    const { port, args } = await this.flags(options);
    const child = spawn(process.execPath, [NODE_CHILD, ...args], {
      env: { ...process.env, PEERSTREAMER_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const node = new MonitoredNode(options.name, port, child);
    this.nodes.push(node);
    await node.waitFor('ready');
    return node;
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.kill()));
    this.nodes.length = 0;
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
    this.dirs.length = 0;
  }

  /** SIGKILLs some nodes now (a finished phase), so they stop taking CPU from the next one. */
  async kill(nodes: BenchNode[]): Promise<void> {
    await Promise.all(nodes.map((node) => node.kill()));
  }
}
