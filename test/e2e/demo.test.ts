/** `peerstreamer demo`: the README's main job works with no input and stops cleanly on Ctrl-C. */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { CLI, REPO, SWARM_TIMEOUT_MS, assertBuilt } from '../helpers/swarm.js';
import { lacks, requires } from '../helpers/requirements.js';
import { tempDir } from '../helpers/temp-dirs.js';
import { waitFor } from '../helpers/wait.js';

const noSignals = lacks(requires.posixSignals);

const dir = tempDir('demo');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(noSignals)('peerstreamer demo', () => {
  it(
    'starts a six-node swarm with a sample video, serves a level-2 player, and stops on SIGINT',
    async () => {
      assertBuilt();
      const child = spawn(process.execPath, [CLI, 'demo', '--dir', dir], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
      child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
      try {
        // Until the player's URL is printed, or the demo ends without one.
        await new Promise<void>((resolve) => {
          const check = (): void => {
            if (/token=/.test(stdout)) resolve();
          };
          child.stdout.on('data', check);
          child.once('close', () => resolve());
        });
        const url = /(http:\/\/127\.0\.0\.1:\d+\/)\?token=([\w-]+)/.exec(stdout);
        expect(url, `${stdout}\n${stderr}`).not.toBeNull();
        const headers = { Authorization: `Bearer ${url![2]}` };
        const videos = (await (await fetch(`${url![1]}api/videos`, { headers })).json()) as Array<{
          name: string;
        }>;
        expect(videos.map((video) => video.name)).toEqual(['sample']);
        const topology = (await (await fetch(`${url![1]}api/topology`, { headers })).json()) as {
          name: string;
        };
        expect(topology.name).toBe('source');
        const chunk = await fetch(`${url![1]}api/videos/sample/chunks/0`, { headers });
        expect(chunk.status).toBe(200);
        expect(['peer', 'master', 'source']).toContain(chunk.headers.get('x-peerstreamer-origin'));
        // Without the token the player's API stays shut.
        expect((await fetch(`${url![1]}api/videos`)).status).toBe(401);
        child.kill('SIGINT');
        const [code] = (await once(child, 'exit')) as [number | null];
        expect(code, stderr).toBe(0);
        expect(stderr).toContain('demo: stopped');
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    },
    SWARM_TIMEOUT_MS,
  );
});

/**
 * `npm run demo` as a process manager or an IDE's stop button runs it: the signal goes to npm alone,
 * not to the terminal's whole process group. npm passes it to its child only, so if a shell sat
 * between npm and the demo (as `sh -c` does), the demo would never hear it and keep its ports.
 */
describe.skipIf(noSignals)('npm run demo', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'stops every process it started and frees every port when npm gets %s',
    async (signal) => {
      assertBuilt();
      const npm = spawn('npm', ['run', 'demo', '--', '--dir', dir], {
        cwd: REPO,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      npm.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
      npm.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
      const started: number[] = [];
      try {
        await waitFor(
          () => /token=/.test(stdout) && /demo: swarm up: /.test(stderr),
          `the demo's player URL and node addresses\n${stdout}\n${stderr}`,
          120_000,
        );
        const ports = [
          Number(/http:\/\/127\.0\.0\.1:(\d+)\//.exec(stdout)![1]),
          ...[.../demo: swarm up: (.*)/.exec(stderr)![1]!.matchAll(/tcp:\/\/127\.0\.0\.1:(\d+)/g)].map(
            (match) => Number(match[1]),
          ),
        ];
        expect(ports).toHaveLength(7);
        for (const port of ports) expect(await portFree(port), `port ${port} while running`).toBe(false);
        started.push(...descendantsOf(npm.pid!));
        expect(started.length, 'processes under npm').toBeGreaterThan(0);

        npm.kill(signal);
        await exited(npm);
        await waitFor(
          () => started.every((pid) => !isRunning(pid)),
          `every process npm started to exit (still running: ${started.filter(isRunning).join(', ')})`,
          30_000,
        );
        // Gone, every one: their pids are free for the kernel to give out again (this machine's
        // pid_max is 32,768 and wraps), so the clean-up below must not signal them any more.
        started.length = 0;
        for (const port of ports) await waitFor(() => portFree(port), `port ${port} to be free`, 10_000);
        expect(stderr).toContain('demo: stopped');
      } finally {
        // Only pids never seen gone: one seen gone may already belong to another process, such as a
        // test worker of another file (one exited unexpectedly in a loaded CI run; this is a likely way).
        for (const pid of started.filter(isRunning)) process.kill(pid, 'SIGKILL');
        if (npm.exitCode === null && npm.signalCode === null) npm.kill('SIGKILL');
      }
    },
    180_000,
  );
});

function exited(child: ChildProcess): Promise<unknown> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : once(child, 'exit');
}

/** Every process below `root` (children, grandchildren, ...), from /proc. */
function descendantsOf(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: fields are counted after its closing one.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parentOf.set(Number(entry), Number(fields[1]));
    } catch {
      // The process exited while we looked: it is nobody's descendant any more.
    }
  }
  const found: number[] = [];
  const walk = (pid: number): void => {
    for (const [child, parent] of parentOf) {
      if (parent === pid) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(root);
  return found;
}

/** True while `pid` runs; a zombie (exited, not yet reaped) counts as gone. */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] !== 'Z';
  } catch {
    return false;
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
