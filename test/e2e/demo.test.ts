/** `peerstreamer demo`: the README's main job works with no input and stops cleanly on Ctrl-C. */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { CLI, assertBuilt, tempDir } from '../helpers/swarm.js';
import { lacks, requires } from '../helpers/requirements.js';

const noSignals = lacks(requires.posixSignals);

const dir = tempDir('demo');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(noSignals)('peerstreamer demo', () => {
  it('starts a six-node swarm with a sample video, serves a level-2 player, and stops on SIGINT', async () => {
    assertBuilt();
    const child = spawn(process.execPath, [CLI, 'demo', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    try {
      const deadline = Date.now() + 120_000;
      while (!/token=/.test(stdout) && Date.now() < deadline && child.exitCode === null) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
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
  }, 180_000);
});
