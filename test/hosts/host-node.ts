/**
 * PeerStreamer processes inside the bed's hosts: a node, started with `ip netns exec <ns> node
 * dist/core/cli/main.js node …` and bound to the host's own address (never loopback), and a viewer,
 * `peerstreamer play` run on the same host against its own node, as a person at that machine would.
 *
 * `ip netns exec` execs the command in place, so the pid spawn returns is the node's own: SIGKILL
 * to it is a host's crash. The nodes reuse the loopback harness's NodeProcess (ready line, logs,
 * kill), so a bed test reads like a swarm test.
 */
import { execFile, spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { promisify } from 'node:util';
import type { NodeStats } from '../../core/shared/api-types.js';
import { CLI, NodeProcess } from '../helpers/swarm.js';
import { onHost, type Host } from './netns.js';

/** Every node listens on this port of its own host's address: hosts have a port space each. */
export const NODE_PORT = 7000;

export function nodeAddressOf(host: Host): string {
  return `tcp://${host.ip}:${NODE_PORT}`;
}

export interface HostNodeOptions {
  /** Its store; a directory of the test's scratch space. */
  store: string;
  /** Where it goes in the tree: the flags that place it (`--join <link>`; none for the source). */
  placement: string[];
  extra?: string[];
}

/** Starts `peerstreamer node` on `host`, bound to and advertising the host's address. */
export function startHostNode(host: Host, options: HostNodeOptions): NodeProcess {
  const args = [
    'node',
    '--name',
    host.name,
    '--port',
    String(NODE_PORT),
    '--ip',
    host.ip,
    '--bind',
    host.ip,
    '--store',
    options.store,
    '--json-logs',
    ...options.placement,
    ...(options.extra ?? []),
  ];
  const [command, argv] = onHost(host, process.execPath, [CLI, ...args]);
  const child = spawn(command, argv, {
    env: { ...process.env, PEERSTREAMER_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new NodeProcess(host.name, options.store, args, child, NODE_PORT);
}

/** What one viewer saw: a digest of the bytes (not the bytes: 24 viewers' copies add up) and timing. */
export interface Viewing {
  host: string;
  code: number | null;
  bytes: number;
  sha256: string;
  /** From the play's start to its first byte on stdout. */
  firstByteMs: number;
  /**
   * The longest gap between two writes after the first: the longest time the picture would have
   * frozen for a player fed at line rate (play writes chunk by chunk, in order).
   */
  longestStallMs: number;
  totalMs: number;
  /** The play's own last lines (its summary, or its error). */
  stderr: string;
}

/**
 * Runs `peerstreamer play <video> --from <its own node>` on `host` and reads its stdout as it comes:
 * each arrival is timestamped here, which is how the stall is measured without changing play.
 */
export interface Viewer {
  done: Promise<Viewing>;
  /** Bytes on stdout so far: how far into the video the viewer is. */
  received: () => number;
  /** A host's crash takes its viewer with it. */
  kill: () => void;
}

export function playOnHost(host: Host, video: string): Viewer {
  const [command, argv] = onHost(host, process.execPath, [CLI, 'play', video, '--from', nodeAddressOf(host)]);
  const started = performance.now();
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'], cwd: path.dirname(CLI) });
  const hash = createHash('sha256');
  let bytes = 0;
  let firstByte: number | undefined;
  let last = 0;
  let longestStall = 0;
  child.stdout.on('data', (data: Buffer) => {
    const now = performance.now();
    if (firstByte === undefined) firstByte = now;
    else longestStall = Math.max(longestStall, now - last);
    last = now;
    bytes += data.length;
    hash.update(data);
  });
  const stderr: string[] = [];
  createInterface({ input: child.stderr }).on('line', (line) => {
    stderr.push(line);
    if (stderr.length > 20) stderr.shift();
  });
  const done = new Promise<Viewing>((resolve) => {
    child.once('close', (code) =>
      resolve({
        host: host.name,
        code,
        bytes,
        sha256: hash.digest('hex'),
        firstByteMs: firstByte === undefined ? Number.NaN : firstByte - started,
        longestStallMs: longestStall,
        totalMs: performance.now() - started,
        stderr: stderr.join('\n'),
      }),
    );
  });
  return { done, received: () => bytes, kill: () => child.kill('SIGKILL') };
}

/**
 * `peerstreamer stats --from <its own node> --json`, run on `host` itself: the only way to ask a
 * NATed node, which the test process cannot dial.
 */
export async function statsOnHost(host: Host): Promise<NodeStats> {
  const [command, argv] = onHost(host, process.execPath, [
    CLI,
    'stats',
    '--from',
    nodeAddressOf(host),
    '--json',
  ]);
  const { stdout } = await promisify(execFile)(command, argv, { timeout: 30_000 });
  return JSON.parse(stdout) as NodeStats;
}

/** A node's warnings and errors (its JSON log lines at level 40 and up), as their messages. */
export function nodeWarnings(node: NodeProcess): string[] {
  return node.logs.flatMap((line) => {
    try {
      const record = JSON.parse(line) as { level?: number; msg?: string };
      return (record.level ?? 0) >= 40 && record.msg !== undefined ? [record.msg] : [];
    } catch {
      return [];
    }
  });
}

/** Appends a process's output to `<dir>/<name>.log`, as each run of it ends: a failure's evidence. */
export function keepLog(dir: string, name: string, lines: readonly string[]): void {
  appendFileSync(path.join(dir, `${name}.log`), `${lines.join('\n')}\n`);
}
