/**
 * Going live on a real source node process (`peerstreamer node`), through `peerstreamer live`: the
 * manifest grows and verifies under the publisher key, every chunk the node serves matches its
 * sha256, a child node serves the stream on, the recording is kept as an ordinary video that verify
 * accepts and export writes; and each bad input is one line naming it while the node keeps serving
 * its other videos.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LiveSessionInfo } from '../../core/control/messages.js';
import { PeerClient } from '../../core/net/client.js';
import type { VideoInfo } from '../../core/protocol/messages.js';
import type { Manifest } from '../../core/shared/manifest.js';
import { signatureProblem } from '../../core/trust/manifest-signature.js';
import { freePort } from '../../core/util/free-port.js';
import { exited, makeAudioOnlyFile, publish, waitForTcpListener } from '../media/live-helpers.js';
import { lacks, requires } from '../helpers/requirements.js';
import { sourceStore } from '../helpers/source-store.js';
import { Swarm, assertBuilt, playThrough, runCli, type NodeProcess } from '../helpers/swarm.js';
import { waitFor } from '../helpers/wait.js';
import { grownBy, liveManifestOf } from '../helpers/live-manifests.js';

let swarm = new Swarm();
beforeAll(() => assertBuilt());
afterEach(async () => {
  await swarm.stop();
  swarm = new Swarm();
});

const noFfmpeg = lacks(requires.ffmpeg);
/** Bounds failures only: on a loaded 2-core machine a node, ffmpeg and the CLI share the cores. */
const SLOW_MS = 60_000;

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function ask<T>(work: (client: PeerClient) => Promise<T>): Promise<T> {
  const client = new PeerClient({ timeoutMs: 10_000 });
  try {
    return await work(client);
  } finally {
    await client.close();
  }
}

function listOf(node: NodeProcess): Promise<VideoInfo[]> {
  return ask(async (client) => (await client.request(node.address, { type: 'list-videos' })).reply.videos);
}

async function liveList(node: NodeProcess): Promise<LiveSessionInfo[]> {
  const listed = await runCli(['live', 'ls', '--store', node.store, '--json']);
  if (listed.code !== 0) throw new Error(listed.stderr);
  return JSON.parse(listed.stdout) as LiveSessionInfo[];
}

async function sessionOf(node: NodeProcess, name: string): Promise<LiveSessionInfo | undefined> {
  return (await liveList(node)).find((session) => session.name === name);
}

/**
 * `live start`, then until the session is live: the command answers `starting` instead when the
 * first chunk takes longer than its wait (a loaded machine), which is not a failure.
 */
async function goLive(node: NodeProcess, name: string, ...args: string[]): Promise<LiveSessionInfo> {
  const started = await runCli(['live', 'start', name, '--store', node.store, ...args], {
    timeoutMs: SLOW_MS,
  });
  expect(started.code, started.stderr).toBe(0);
  expect(started.stdout).toMatch(
    new RegExp(
      `^(live: ${name} from .+, stream [0-9a-f]{32}, (keeping every chunk|\\d+ s window)|starting: ${name} waits for )`,
    ),
  );
  return waitFor(
    async () => {
      const session = await sessionOf(node, name);
      return session?.state === 'live' && session;
    },
    `${name} to be live`,
    SLOW_MS,
  );
}

/** One line on stderr, and the exit code. */
function expectOneLine(result: { code: number; stderr: string }, code: number, pattern: RegExp): void {
  expect(result.code, result.stderr).toBe(code);
  expect(result.stderr.trimEnd().split('\n'), result.stderr).toHaveLength(1);
  expect(result.stderr).toMatch(pattern);
}

describe.skipIf(noFfmpeg)('going live on a source node', () => {
  it(
    'grows a signed manifest whose chunks match, a child serves it, and the recording is kept',
    async () => {
      const source = await swarm.start({ name: 'source' });
      const session = await goLive(source, 'demo', '--input', 'testsrc:320x180@15');
      expect(session).toMatchObject({ input: 'the test pattern', window: 0, reason: null });
      expect(session.stream).toMatch(/^[0-9a-f]{32}$/);

      const first = await liveManifestOf(source, 'demo');
      expect(first.live).toMatchObject({ state: 'live', window: 0 });
      const grown = await grownBy(source, 'demo', first, 3, 'the live manifest to grow by 3 chunks', SLOW_MS);
      expect(grown.live.stream).toBe(first.live.stream);
      expect(signatureProblem(grown as Manifest)).toBeNull();
      expect(grown.chunks.map((chunk) => chunk.index)).toEqual(grown.chunks.map((_, position) => position));
      // Each chunk the node serves is the manifest's, byte for byte; so is the init segment.
      await ask(async (client) => {
        for (const index of [-1, ...grown.chunks.map((chunk) => chunk.index)]) {
          const { body } = await client.request(source.address, {
            type: 'get',
            video: 'demo',
            index,
            fetchUpstream: false,
          });
          const expected = index === -1 ? grown.init : grown.chunks[index]!;
          expect({ index, size: body.length, sha256: sha256(body) }).toEqual({
            index,
            size: expected.size,
            sha256: expected.sha256,
          });
        }
      });
      // The library marks it live, beside the node's other videos.
      expect((await listOf(source)).find((video) => video.name === 'demo')).toMatchObject({ live: 'live' });
      const ls = await runCli(['ls', '--store', source.store]);
      expect(ls.stdout).toMatch(/^demo\s+\S+\s+fmp4 320x180 live\s/m);
      const sessions = await liveList(source);
      expect(sessions).toEqual([
        expect.objectContaining({ name: 'demo', state: 'live', input: 'the test pattern', window: 0 }),
      ]);
      expect(sessions[0]!.chunks).toBeGreaterThanOrEqual(grown.chunks.length);

      // Another process: a child node fetches the stream's chunks from the source and serves them.
      const child = await swarm.start({ name: 'child', master: source });
      const played = await playThrough(child, 'demo');
      const viaChild = await liveManifestOf(child, 'demo');
      expect(viaChild.live.stream).toBe(first.live.stream);
      const expectedBytes = await ask(async (client) => {
        const parts: Buffer[] = [];
        for (const index of [-1, ...viaChild.chunks.map((chunk) => chunk.index)]) {
          parts.push(
            (
              await client.request(source.address, {
                type: 'get',
                video: 'demo',
                index,
                fetchUpstream: false,
              })
            ).body,
          );
        }
        return Buffer.concat(parts);
      });
      expect(sha256(played.bytes)).toBe(sha256(expectedBytes));

      // Stopped and kept: an ordinary signed video that verify accepts and export writes.
      const stopped = await runCli(['live', 'stop', 'demo', '--store', source.store, '--keep', 'rec'], {
        timeoutMs: SLOW_MS,
      });
      expect(stopped.code, stopped.stderr).toBe(0);
      expect(stopped.stdout).toMatch(
        /^stopped demo: \d+ chunks, .*; kept the recording as rec \(\d+ chunks, /,
      );
      const ended = await liveManifestOf(source, 'demo');
      expect(ended.live.state).toBe('ended');
      expect(signatureProblem(ended as Manifest)).toBeNull();
      const recording = (await liveManifestOf(source, 'rec')) as Manifest;
      expect(recording).not.toHaveProperty('live');
      expect(signatureProblem(recording)).toBeNull();
      expect(recording.chunks.map((chunk) => chunk.sha256)).toEqual(
        ended.chunks.map((chunk) => chunk.sha256),
      );
      const verify = await runCli(['verify', '--store', source.store]);
      expect(verify.code, verify.stderr).toBe(0);
      const out = path.join(swarm.dir('out'), 'rec.mp4');
      const exported = await runCli(['export', 'rec', '--store', source.store, '-o', out]);
      expect(exported.code, exported.stderr).toBe(0);
      const whole = readFileSync(out);
      expect(whole.length).toBe(recording.init!.size + recording.chunks.reduce((sum, c) => sum + c.size, 0));
      expect((await sessionOf(source, 'demo'))?.state).toBe('stopped');

      // Started again: the same stream goes on, its next chunk marked as a discontinuity.
      const again = await goLive(source, 'demo', '--input', 'testsrc:320x180@15');
      expect(again.reason).toContain(
        `went on with stream ${first.live.stream} after chunk ${ended.chunks.length - 1}`,
      );
      const resumed = await liveManifestOf(source, 'demo');
      expect(resumed.live).toMatchObject({ stream: first.live.stream, state: 'live' });
      expect(resumed.chunks[ended.chunks.length]).toMatchObject({
        index: ended.chunks.length,
        discontinuity: true,
      });
      expect(signatureProblem(resumed as Manifest)).toBeNull();
    },
    SLOW_MS * 4,
  );

  it(
    'drops what the window leaves behind, and refuses --keep then without stopping anything',
    async () => {
      const source = await swarm.start({ name: 'source' });
      await goLive(source, 'win', '--input', 'testsrc:320x180@15', '--window', '2');
      const moved = await waitFor(
        async () => {
          const now = await liveManifestOf(source, 'win');
          return now.chunks[0]!.index >= 2 && now;
        },
        'the window to drop the first chunks',
        SLOW_MS,
      );
      expect(signatureProblem(moved as Manifest)).toBeNull();
      const refused = await runCli(['live', 'stop', 'win', '--store', source.store, '--keep', 'rec']);
      expectOneLine(refused, 2, /window has dropped its first \d+ chunks.*Nothing was stopped or kept/);
      expect((await sessionOf(source, 'win'))?.state).toBe('live');
      // The chunks the window dropped are no longer served.
      await expect(
        ask((client) =>
          client.request(source.address, { type: 'get', video: 'win', index: 0, fetchUpstream: false }),
        ),
      ).rejects.toMatchObject({ code: 'CHUNK_NOT_FOUND' });
      const stopped = await runCli(['live', 'stop', 'win', '--store', source.store]);
      expect(stopped.code, stopped.stderr).toBe(0);
      expect((await liveManifestOf(source, 'win')).live.state).toBe('ended');
    },
    SLOW_MS * 3,
  );
});

describe.skipIf(noFfmpeg)('a live stream across a killed node', () => {
  it(
    'is ended as failed at the next start, and a live start goes on with it',
    async () => {
      const source = await swarm.start({ name: 'source' });
      await goLive(source, 'demo', '--input', 'testsrc:320x180@15');
      await waitFor(
        async () => (await liveManifestOf(source, 'demo')).chunks.length >= 2,
        '2 chunks',
        SLOW_MS,
      );
      await source.kill('SIGKILL');
      const again = await swarm.restart(source);
      const left = await liveManifestOf(again, 'demo');
      expect(left.live.state).toBe('failed');
      expect(signatureProblem(left as Manifest)).toBeNull();
      // Every chunk it names survived the kill (reconcile kept them), or the store dropped the row.
      const verify = await runCli(['verify', '--store', again.store]);
      expect(verify.code, verify.stderr).toBe(0);
      expect(await liveList(again)).toEqual([]);
      const resumed = await goLive(again, 'demo', '--input', 'testsrc:320x180@15', '--window', '60');
      expect(resumed.reason).toContain(`went on with stream ${left.live.stream}`);
      expect(resumed.reason).toContain('keeping its 0 s window');
      expect(resumed.window).toBe(0);
      const now = await liveManifestOf(again, 'demo');
      expect(now.live).toMatchObject({ stream: left.live.stream, state: 'live', window: 0 });
      const last = left.chunks[left.chunks.length - 1]!;
      expect(now.chunks.find((chunk) => chunk.index === last.index + 1)).toMatchObject({
        discontinuity: true,
        start: last.start + last.duration,
      });
    },
    SLOW_MS * 3,
  );
});

describe.skipIf(noFfmpeg)('bad live input on a running node', () => {
  it(
    'says what is wrong in one line each, and the node keeps serving its other videos',
    async () => {
      const withMovie = await sourceStore(swarm, 'movie', 6);
      const source = await swarm.start({ name: 'source', store: withMovie.store });
      const store = source.store;
      const start = (name: string, ...args: string[]) =>
        runCli(['live', 'start', name, '--store', store, ...args], { timeoutMs: SLOW_MS });

      expectOneLine(await start('a', '--input', 'file:/nonexistent/talk.mp4'), 1, /\/nonexistent\/talk\.mp4/);
      const tone = path.join(swarm.dir('audio'), 'tone.m4a');
      await makeAudioOnlyFile(tone);
      expectOneLine(await start('b', '--input', `file:${tone}`), 1, new RegExp(`${tone}.*video`, 'i'));
      expectOneLine(
        await start('c', '--input', 'ftp://example.com/x'),
        2,
        /is not a live input this node knows/,
      );
      expectOneLine(await start('movie', '--input', 'testsrc'), 1, /already has a video of that name/);
      for (const window of ['-1', '1.5', '86401', 'ten'])
        expectOneLine(
          await start('d', '--input', 'testsrc', '--window', window),
          2,
          /--window .* is not valid/,
        );
      expectOneLine(
        await start('e', '--input', 'testsrc', '--reconnect', '3601'),
        2,
        /--reconnect "3601" is out of range; use 0 \(end with the input\) to 3600 seconds/,
      );
      expectOneLine(
        await start('e', '--input', 'testsrc', '--reconnect', 'soon'),
        2,
        /--reconnect "soon" is not a duration/,
      );

      // A busy RTMP port: another process already listens there.
      const port = await freePort();
      const squatter = net.createServer();
      await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
      try {
        expectOneLine(
          await start('e', '--input', `rtmp://127.0.0.1:${port}/live`),
          1,
          new RegExp(`rtmp://127.0.0.1:${port}/live.*port ${port} is already in use`),
        );
      } finally {
        squatter.close();
      }

      // A name running already.
      expect((await start('f', '--input', 'testsrc:320x180@15')).code).toBe(0);
      expectOneLine(await start('f', '--input', 'testsrc'), 1, /"f" is already running on this node/);
      expectOneLine(
        await runCli(['live', 'stop', 'nope', '--store', store]),
        1,
        /no live stream named "nope" on this node/,
      );

      // Through all of it the node kept serving its other video, whole.
      const played = await playThrough(source, 'movie');
      expect(sha256(played.bytes)).toBe(sha256(withMovie.exported));
      expect((await listOf(source)).map((video) => video.name)).toEqual(['f', 'movie']);
    },
    SLOW_MS * 4,
  );

  it(
    'fails the stream in one line when its publisher stops sending, and ends its manifest failed',
    async () => {
      const source = await swarm.start({ name: 'source' });
      const port = await freePort();
      const listen = `rtmp://127.0.0.1:${port}/live`;
      const starting = runCli(
        // --reconnect 0: the stream ends with its input (waiting for it to come back is tested in live-watch).
        [
          'live',
          'start',
          'cam',
          '--input',
          listen,
          '--stall',
          '2',
          '--reconnect',
          '0',
          '--store',
          source.store,
        ],
        {
          timeoutMs: SLOW_MS,
        },
      );
      await waitForTcpListener(port);
      const publisher = publish(listen, 60);
      try {
        const started = await starting;
        expect(started.code, started.stderr).toBe(0);
        // Live, or still starting when the publisher was slow to send its first second.
        expect(started.stdout).toMatch(/^(live|starting): cam/);
        await waitFor(
          async () => (await sessionOf(source, 'cam'))?.state === 'live',
          'cam to be live',
          SLOW_MS,
        );
        // A second publisher finds the listener taken; the first goes on.
        const second = publish(listen, 5);
        await exited(second);
        expect(second.exitCode).not.toBe(0);
        expect((await sessionOf(source, 'cam'))?.state).toBe('live');
        publisher.kill('SIGSTOP');
        const failed = await waitFor(
          async () => {
            const session = await sessionOf(source, 'cam');
            return session?.state === 'failed' && session;
          },
          'the stall to fail the stream',
          SLOW_MS,
        );
        expect(failed.reason).toMatch(new RegExp(`^${listen}: input stopped sending`));
        expect(failed.reason).not.toContain('\n');
        expect((await liveManifestOf(source, 'cam')).live.state).toBe('failed');
        const table = await runCli(['live', 'ls', '--store', source.store]);
        expect(table.stdout).toMatch(/^cam\s+failed\s+rtmp:\/\/127\.0\.0\.1:\d+\/live\s/m);
      } finally {
        publisher.kill('SIGCONT');
        publisher.kill('SIGKILL');
        await exited(publisher);
      }
    },
    SLOW_MS * 3,
  );

  it('says in one line that live needs a running node', async () => {
    const store = swarm.dir('idle');
    expectOneLine(
      await runCli(['live', 'ls', '--store', store]),
      1,
      /no node runs on the store .*; live streams run inside a node: start one with `peerstreamer node --store/,
    );
  });
});
