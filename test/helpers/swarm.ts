/**
 * Multi-process test harness: each node is a real `peerstreamer node` process (the compiled CLI in
 * dist/, which `npm test` builds first) with its own store on disk and real ZeroMQ sockets on
 * 127.0.0.1. Nodes are killed with SIGKILL where a test needs a crash.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';

import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NodeStats } from '../../core/shared/api-types.js';
import type { TopologyNode } from '../../core/protocol/messages.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = path.join(REPO, 'dist', 'core', 'cli', 'main.js');

export function assertBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (npm test does it first).`);
}

export { freePort } from '../../core/util/free-port.js';
import { freePort } from '../../core/util/free-port.js';

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `peerstreamer-${prefix}-`));
}

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

export class NodeProcess {
  readonly logs: string[] = [];
  private exited: Promise<number | null>;

  constructor(
    readonly name: string,
    readonly port: number,
    readonly store: string,
    readonly args: string[],
    readonly child: ChildProcess,
  ) {
    const collect = (data: Buffer): void => {
      for (const line of data.toString('utf8').split('\n')) if (line.trim()) this.logs.push(line);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  get address(): string {
    return `tcp://127.0.0.1:${this.port}`;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves once a log line contains `text` (JSON logs: matched against the raw line). */
  async waitForLog(text: string | RegExp, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const line = this.logs.find((entry) =>
        typeof text === 'string' ? entry.includes(text) : text.test(entry),
      );
      if (line) return line;
      if (!this.alive)
        throw new Error(`${this.name} exited before logging ${String(text)}:\n${this.logs.join('\n')}`);
      await sleep(25);
    }
    throw new Error(
      `${this.name} did not log ${String(text)} within ${timeoutMs} ms:\n${this.logs.join('\n')}`,
    );
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    if (this.alive) this.child.kill(signal);
    return this.exited;
  }

  waitForExit(): Promise<number | null> {
    return this.exited;
  }
}

export interface StartNodeOptions {
  name: string;
  store?: string;
  port?: number;
  master?: NodeProcess | string;
  supermaster?: NodeProcess | string;
  extra?: string[];
  env?: NodeJS.ProcessEnv;
  /** Wait for this log text before resolving (default: registration for children, listening for sources). */
  readyLog?: string | RegExp | null;
}

function addressOf(target: NodeProcess | string): string {
  return typeof target === 'string' ? target : target.address;
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
    const port = options.port ?? (await freePort());
    const store = options.store ?? this.dir(`store-${options.name}`);
    const args = [
      'node',
      '--name',
      options.name,
      '--port',
      String(port),
      '--ip',
      '127.0.0.1',
      '--store',
      store,
      '--json-logs',
    ];
    if (options.master) args.push('--master', addressOf(options.master));
    if (options.supermaster) args.push('--supermaster', addressOf(options.supermaster));
    args.push(...(options.extra ?? []));
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, PEERSTREAMER_LOG_LEVEL: 'info', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const node = new NodeProcess(options.name, port, store, args, child);
    this.nodes.push(node);
    const ready =
      options.readyLog === undefined
        ? options.master
          ? 'registered with the'
          : 'listening'
        : options.readyLog;
    if (ready !== null) await node.waitForLog(ready);
    return node;
  }

  /** Starts a node again with the same name, port, store and flags (a restart after a crash). */
  async restart(node: NodeProcess, readyLog?: string | RegExp | null): Promise<NodeProcess> {
    const child = spawn(process.execPath, [CLI, ...node.args], {
      env: { ...process.env, PEERSTREAMER_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const again = new NodeProcess(node.name, node.port, node.store, node.args, child);
    this.nodes.push(again);
    const ready =
      readyLog === undefined
        ? node.args.includes('--master')
          ? 'registered with the'
          : 'listening'
        : readyLog;
    if (ready !== null) await again.waitForLog(ready);
    return again;
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.kill('SIGKILL')));
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
  }
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    await sleep(50);
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`,
  );
}

export async function statsOf(node: NodeProcess): Promise<NodeStats> {
  const result = await runCli(['stats', '--from', node.address, '--json']);
  if (result.code !== 0) throw new Error(`stats from ${node.name} failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as NodeStats;
}

export async function topologyOf(node: NodeProcess): Promise<TopologyNode> {
  const result = await runCli(['topology', '--from', node.address, '--json']);
  if (result.code !== 0) throw new Error(`topology from ${node.name} failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as TopologyNode;
}
