/**
 * Multi-process test harness: each node is a real `peerstreamer node` process (the compiled CLI in
 * dist/, which `npm test` builds first) with its own store on disk and real ZeroMQ sockets on
 * 127.0.0.1. Nodes are killed with SIGKILL where a test needs a crash.
 *
 * Nodes start on --port 0 and the harness reads the port from the node's ready line, so no two test
 * files can race for a port. Readiness is a condition (the ready line; for a child, `stats` naming
 * its master), never a log sentence.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { rmSync, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChunkOrigin, NodeStats } from '../../core/shared/api-types.js';
import type { WireTopologyNode } from '../../core/protocol/messages.js';
import type { ReadyEvent } from '../../core/node/ready-line.js';
import { PeerClient } from '../../core/net/client.js';
import { playStream } from '../../core/stream/play-client.js';
import { tempDir } from './temp-dirs.js';
import { waitFor } from './wait.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = path.join(REPO, 'dist', 'core', 'cli', 'main.js');

export function assertBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (npm test does it first).`);
}

export { freePort } from '../../core/util/free-port.js';

/**
 * A failure bound for tests that run several node processes: on a loaded 2-core machine each process
 * gets a fraction of a core, so they take many times longer than alone. A passing test never waits it.
 */
export const SWARM_TIMEOUT_MS = 300_000;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      {
        env: { ...process.env, ...options.env },
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 256 * 1024 * 1024,
        encoding: 'buffer',
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout: stdout.toString('latin1'), stderr: stderr.toString('utf8') });
      },
    );
  });
}

/**
 * The ready event in one line of a node's stdout, null for any other line, and an error for a ready
 * line that breaks the documented format. Written here, apart from the node's formatter, so the
 * tests check the format itself.
 */
export function parseReadyLine(line: string): ReadyEvent | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null; // Another stdout line, e.g. "player: http://...".
  }
  if (typeof value !== 'object' || value === null) return null;
  const record = value as Record<string, unknown>;
  if (record.event !== 'ready') return null;
  const valid =
    typeof record.name === 'string' &&
    (record.role === 'source' || record.role === 'child') &&
    typeof record.address === 'string' &&
    Number.isInteger(record.port) &&
    (record.port as number) > 0 &&
    record.address.endsWith(`:${record.port as number}`) &&
    typeof record.store === 'string' &&
    path.isAbsolute(record.store) &&
    Number.isInteger(record.pid) &&
    (record.ui === undefined || typeof record.ui === 'string');
  if (!valid) throw new Error(`a malformed ready line: ${line}`);
  return record as unknown as ReadyEvent;
}

export class NodeProcess {
  /** Every line the node wrote, stdout and stderr, in arrival order. */
  readonly logs: string[] = [];
  readonly stdout: string[] = [];
  /** Resolves with the ready line; rejects when the process ends without one. */
  readonly ready: Promise<ReadyEvent>;
  private readyEvent: ReadyEvent | undefined;
  private readonly lineWatchers = new Set<() => void>();
  private readonly exited: Promise<number | null>;
  private hasExited = false;

  constructor(
    readonly name: string,
    readonly store: string,
    readonly args: string[],
    readonly child: ChildProcess,
    /** The port this node must come up on (given, or a restart's); otherwise the ready line says. */
    readonly expectedPort?: number,
  ) {
    let onReady: (event: ReadyEvent) => void = () => undefined;
    let onNoReady: (error: Error) => void = () => undefined;
    this.ready = new Promise<ReadyEvent>((resolve, reject) => {
      onReady = resolve;
      onNoReady = reject;
    });
    // A test that expects the node to fail never awaits `ready`.
    this.ready.catch(() => undefined);
    const collect = (line: string, fromStdout: boolean): void => {
      if (line.trim() === '') return;
      this.logs.push(line);
      if (fromStdout) {
        this.stdout.push(line);
        try {
          const event = this.readyEvent ? null : parseReadyLine(line);
          if (event) {
            this.readyEvent = event;
            onReady(event);
          }
        } catch (error) {
          onNoReady(error as Error);
        }
      }
      for (const watcher of this.lineWatchers) watcher();
    };
    if (child.stdout) createInterface({ input: child.stdout }).on('line', (line) => collect(line, true));
    if (child.stderr) createInterface({ input: child.stderr }).on('line', (line) => collect(line, false));
    // 'close' (not 'exit') comes after stdout and stderr ended, so `logs` is complete by then.
    this.exited = new Promise((resolve) =>
      child.once('close', (code) => {
        this.hasExited = true;
        onNoReady(
          new Error(`${this.name} exited (${String(code)}) before its ready line:\n${this.output()}`),
        );
        for (const watcher of this.lineWatchers) watcher();
        resolve(code);
      }),
    );
  }

  get port(): number {
    const port = this.readyEvent?.port ?? this.expectedPort;
    if (port === undefined) throw new Error(`${this.name} has not printed its ready line yet`);
    return port;
  }

  get address(): string {
    return this.readyEvent?.address ?? `tcp://127.0.0.1:${this.port}`;
  }

  /** The node's CURVE public key, from its ready line. */
  get key(): string {
    const key = this.readyEvent?.key;
    if (key === undefined) throw new Error(`${this.name} has not printed its ready line yet`);
    return key;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  output(): string {
    return this.logs.join('\n');
  }

  /**
   * Resolves once a line contains `text`. For behaviour a node reports only in its log (a child's
   * goodbye); readiness is the ready line. `timeoutMs` only bounds a failure: a passing test never
   * waits for it.
   */
  waitForLog(text: string | RegExp, timeoutMs = 30_000): Promise<string> {
    const find = (): string | undefined =>
      this.logs.find((line) => (typeof text === 'string' ? line.includes(text) : text.test(line)));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => finish(new Error(`${this.name} did not log ${String(text)} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const check = (): void => {
        const line = find();
        if (line !== undefined) finish(line);
        else if (this.hasExited) finish(new Error(`${this.name} exited before logging ${String(text)}`));
      };
      const finish = (result: string | Error): void => {
        clearTimeout(timer);
        this.lineWatchers.delete(check);
        if (typeof result === 'string') resolve(result);
        else reject(new Error(`${result.message}:\n${this.output()}`));
      };
      this.lineWatchers.add(check);
      check();
    });
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    if (this.alive) this.child.kill(signal);
    return this.exited;
  }

  waitForExit(): Promise<number | null> {
    return this.exited;
  }
}

/** What Swarm.start waits for before it resolves. */
export type StartedWhen =
  /** The ready line, then `stats` naming the master as its current master (children's default). */
  | 'registered'
  /** The ready line: the node serves (sources' default; a child may still be looking for its master). */
  | 'ready'
  /** Nothing: for a node expected to fail at start. */
  | 'spawned';

export interface StartNodeOptions {
  name: string;
  store?: string;
  /** Default 0: the kernel picks a free port and the ready line names it. */
  port?: number;
  master?: NodeProcess | string;
  supermaster?: NodeProcess | string;
  extra?: string[];
  env?: NodeJS.ProcessEnv;
  until?: StartedWhen;
}

function addressOf(target: NodeProcess | string): string {
  return typeof target === 'string' ? target : target.address;
}

function spawnNode(args: string[], env?: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, PEERSTREAMER_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export class Swarm {
  readonly nodes: NodeProcess[] = [];
  readonly dirs: string[] = [];

  dir(prefix: string): string {
    const dir = tempDir(prefix);
    this.dirs.push(dir);
    return dir;
  }

  async start(options: StartNodeOptions): Promise<NodeProcess> {
    const store = options.store ?? this.dir(`store-${options.name}`);
    const args = [
      'node',
      '--name',
      options.name,
      '--port',
      String(options.port ?? 0),
      '--ip',
      '127.0.0.1',
      '--bind',
      '127.0.0.1',
      '--store',
      store,
      '--json-logs',
    ];
    const master = options.master === undefined ? undefined : addressOf(options.master);
    if (master !== undefined) args.push('--master', master);
    if (options.supermaster) args.push('--supermaster', addressOf(options.supermaster));
    args.push(...(options.extra ?? []));
    const node = new NodeProcess(
      options.name,
      store,
      args,
      spawnNode(args, options.env),
      options.port || undefined,
    );
    this.nodes.push(node);
    await this.until(node, options.until ?? (master !== undefined ? 'registered' : 'ready'), master);
    return node;
  }

  /**
   * Starts a node again with the same name, store and flags, on the port it bound the first time
   * (its children and its master know it by that address): a restart after a crash.
   */
  async restart(node: NodeProcess, until?: StartedWhen): Promise<NodeProcess> {
    const args = [...node.args];
    args[args.indexOf('--port') + 1] = String(node.port);
    const masterAt = args.indexOf('--master');
    const master = masterAt === -1 ? undefined : args[masterAt + 1];
    const again = new NodeProcess(node.name, node.store, args, spawnNode(args), node.port);
    this.nodes.push(again);
    await this.until(again, until ?? (master !== undefined ? 'registered' : 'ready'), master);
    return again;
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.kill('SIGKILL')));
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
  }

  private async until(node: NodeProcess, when: StartedWhen, master: string | undefined): Promise<void> {
    if (when === 'spawned') return;
    const event = await node.ready;
    if (node.expectedPort !== undefined && event.port !== node.expectedPort) {
      throw new Error(`${node.name} came up on port ${event.port}, not ${node.expectedPort}`);
    }
    if (when === 'registered' && master !== undefined) {
      await waitFor(
        async () => (await statsOf(node)).currentMaster === master,
        `${node.name} registered with ${master}`,
      );
    }
  }
}

/** One request from this test process: no CLI start-up per poll, which on a loaded machine costs seconds. */
async function ask<T>(work: (client: PeerClient) => Promise<T>): Promise<T> {
  const client = new PeerClient({ timeoutMs: 5_000 });
  try {
    return await work(client);
  } finally {
    await client.close();
  }
}

export function statsOf(node: NodeProcess): Promise<NodeStats> {
  return ask(async (client) => {
    const { reply } = await client.request(node.address, { type: 'stats' });
    return reply.stats as unknown as NodeStats;
  });
}

export function topologyOf(node: NodeProcess): Promise<WireTopologyNode> {
  return ask(async (client) => (await client.request(node.address, { type: 'topology' })).reply.tree);
}

export interface Played {
  bytes: Buffer;
  /** Where the node got each chunk, by index (its `get-ok` origin). */
  origins: Array<ChunkOrigin | undefined>;
}

/** A Writable that keeps everything written to it. */
export function collectingSink(): { out: Writable; bytes: () => Buffer } {
  const parts: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      parts.push(chunk);
      callback();
    },
  });
  return { out, bytes: () => Buffer.concat(parts) };
}

/**
 * Plays `video` through `node` as `peerstreamer play` does (the same play client), from this test
 * process: no CLI start-up per play, which on a loaded machine costs more than the play itself.
 */
export async function playThrough(
  node: NodeProcess,
  video: string,
  options: {
    inFlight?: number;
    sink?: { out: Writable; bytes: () => Buffer };
    onChunk?: (index: number) => void;
  } = {},
): Promise<Played> {
  const sink = options.sink ?? collectingSink();
  const origins: Array<ChunkOrigin | undefined> = [];
  const client = new PeerClient({ timeoutMs: 60_000 });
  try {
    await playStream(client, node.address, video, sink.out, {
      streamId: randomUUID(),
      timeoutMs: 60_000,
      ...(options.inFlight !== undefined ? { inFlight: options.inFlight } : {}),
      onChunk: (index, _total, _bytes, origin) => {
        origins[index] = origin;
        options.onChunk?.(index);
      },
    });
  } finally {
    await client.close();
  }
  return { bytes: sink.bytes(), origins };
}
