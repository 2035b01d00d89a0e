import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PeerClient } from '../../core/net/client.js';
import { NODE_FLAGS_HELP } from '../../core/node/node-config.js';
import { nodeCommand } from '../../core/cli/commands/node.js';
import { errorMessage } from '../../core/util/errors.js';
import { runHeadless } from '../../electron/headless.js';
import { parseLaunchArgs, userArgs } from '../../electron/launch-args.js';
import { parseReadyLine } from '../helpers/swarm.js';
import { buildNodeEntry } from './fixtures/build-entry.js';
import { lacks, requires } from '../helpers/requirements.js';
import { waitFor } from '../helpers/wait.js';

const noSignals = lacks(requires.posixSignals);

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

let entry: { file: string; code: string };
let dir: string;

beforeAll(async () => {
  entry = await buildNodeEntry('test/electron/fixtures/headless-entry.ts');
  dir = await mkdtemp(path.join(os.tmpdir(), 'ps-headless-'));
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(path.dirname(entry.file), { recursive: true, force: true });
});

function start(args: string[]): {
  child: ChildProcess;
  done: Promise<Ran>;
  output: () => string;
  stdout: () => string;
} {
  const child = spawn(process.execPath, [entry.file, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (data: Buffer) => (stdout += data.toString()));
  child.stderr!.on('data', (data: Buffer) => (stderr += data.toString()));
  const done = once(child, 'close').then(([code]) => ({ code: code as number | null, stdout, stderr }));
  return { child, done, output: () => stdout + stderr, stdout: () => stdout };
}

function readyLine(stdout: string): { port: number } | undefined {
  return stdout
    .split('\n')
    .map((line) => parseReadyLine(line))
    .find((event) => event !== null);
}

/** What `peerstreamer node <args>` prints and returns, through the CLI's own command and main's format. */
async function cliOutcome(args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await nodeCommand().parseAsync(args, { from: 'user' });
    return { code: 0, stderr: '' };
  } catch (error) {
    return { code: 2, stderr: `peerstreamer: error: ${errorMessage(error)}\n` };
  }
}

describe('<app> --node', () => {
  it('is chosen by --node anywhere in the arguments; the rest are the node’s flags', () => {
    expect(parseLaunchArgs(['--node', '--name', 'a'])).toEqual({ mode: 'node', nodeArgs: ['--name', 'a'] });
    expect(parseLaunchArgs(['--name', 'a', '--node'])).toEqual({ mode: 'node', nodeArgs: ['--name', 'a'] });
    expect(parseLaunchArgs(['--tray'])).toEqual({ mode: 'app', tray: true });
    expect(parseLaunchArgs(['--no-sandbox'])).toEqual({ mode: 'app', tray: false });
    expect(parseLaunchArgs(['--help'])).toEqual({ mode: 'help' });
    expect(userArgs(['/opt/PeerStreamer/peerstreamer', '--node'], true)).toEqual(['--node']);
    expect(userArgs(['/x/electron', '.', '--tray'], false)).toEqual(['--tray']);
  });

  it('never loads Electron: no window, no tray, nothing but the node', () => {
    expect(entry.code).not.toMatch(/from ["']electron["']|require\(["']electron["']\)/);
  });

  it('runs a real node with the CLI’s flags until SIGTERM, then stops cleanly', async ({ skip }) => {
    skip(noSignals);
    const store = path.join(dir, 'store');
    const run = start([
      '--name',
      'headless-1',
      '--port',
      '0',
      '--ip',
      '127.0.0.1',
      '--bind',
      '127.0.0.1',
      '--store',
      store,
      '--upload-limit',
      '5MB',
    ]);
    // The CLI's ready line, printed once the node serves: it names the port --port 0 took.
    await waitFor(() => readyLine(run.stdout()) !== undefined, 'the ready line');
    const { port } = readyLine(run.stdout())!;
    const client = new PeerClient();
    try {
      const { reply } = await client.request(
        `tcp://127.0.0.1:${port}`,
        { type: 'stats' },
        { timeoutMs: 5_000 },
      );
      expect(reply.stats).toMatchObject({ name: 'headless-1', role: 'source', seeding: true });
    } finally {
      await client.close();
    }
    expect(existsSync(path.join(store, 'index.sqlite'))).toBe(true);
    run.child.kill('SIGTERM');
    const ended = await run.done;
    expect(ended.code).toBe(0);
    expect(ended.stderr + ended.stdout).toMatch(/node stopped/);
  });

  it.each([
    [['--port', '7000', '--store', '/tmp/x']],
    [['--name', 'a', '--port', 'seven', '--store', '/tmp/x']],
    [['--name', 'a', '--port', '7000']],
    [['--name', 'a', '--port', '7000', '--store', '/tmp/x', '--supermaster', 'tcp://127.0.0.1:7999']],
    [['--name', 'a', '--port', '7000', '--store', '/tmp/x', '--master', 'http://nope']],
    [['--name', 'a', '--port', '7000', '--store', '/tmp/x', '--cache-size', 'lots']],
    [['--bogus']],
    [['--name']],
    [['--name', 'a', '--port', '7000', '--store', '/tmp/x', 'extra']],
  ])('bad flags %j: the same error and exit code as `peerstreamer node`', async (args) => {
    const expected = await cliOutcome(args);
    let stderr = '';
    const code = await runHeadless(args, { stdout: () => undefined, stderr: (text) => (stderr += text) });
    expect(expected.code).toBe(2);
    expect({ code, stderr }).toEqual(expected);
  });

  it('as a process, a bad flag exits 2 with the CLI’s message', async () => {
    const ran = await start(['--name', 'a', '--port', '70000', '--store', path.join(dir, 'never')]).done;
    expect(ran.code).toBe(2);
    expect(ran.stderr).toBe(
      'peerstreamer: error: --port "70000" is not valid: give a port number from 0 to 65535.\n',
    );
    expect(existsSync(path.join(dir, 'never'))).toBe(false);
  });

  it('--help lists exactly the CLI’s node flags', async () => {
    const ran = await start(['--help']).done;
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain(NODE_FLAGS_HELP);
    expect(ran.stdout).toContain('--tray');
  });
});
