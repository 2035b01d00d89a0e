/**
 * Publishing to a running source, the point of the control channel: `peerstreamer add` on the
 * source's store while three children stream another video. The source ingests the file itself
 * (no restart, no dropped child), the children's streams go on undisturbed, and the new video is in
 * a level-2 node's list within a second of `add` returning and plays byte-identically from there.
 * Every node and client is a real process; the store is real SQLite and the clip real ffmpeg output.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, Swarm, assertBuilt, runCli, type NodeProcess } from '../helpers/swarm.js';
import { sourceStore, type SourceStore } from '../helpers/source-store.js';
import { smallClip } from '../helpers/media-fixtures.js';
import { PeerClient } from '../../core/net/client.js';
import type { MediaManifest } from '../../core/shared/manifest.js';
import { lacks, requires } from '../helpers/requirements.js';
import { waitFor } from '../helpers/wait.js';

const noFfmpeg = lacks(requires.ffmpeg);

const swarm = new Swarm();
const peers = new PeerClient({ timeoutMs: 2_000 });
let source: SourceStore;

beforeAll(async () => {
  assertBuilt();
  // 40 s of video: at the source's upload limit below, each stream takes several seconds.
  source = await sourceStore(swarm, 'movie', 40);
});
afterAll(async () => {
  await peers.close();
  await swarm.stop();
});

interface PlayRun {
  /** When each line of progress (stderr) arrived, ms since the epoch. */
  lines: Array<{ at: number; text: string }>;
  finished: Promise<{ code: number | null; at: number }>;
}

/** `peerstreamer play` through `node` into `out`, with the arrival time of every progress line. */
function play(node: NodeProcess, video: string, out: string): PlayRun {
  const child = spawn(process.execPath, [CLI, 'play', '--from', node.address, video, '-o', out], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const lines: PlayRun['lines'] = [];
  let partial = '';
  child.stderr.on('data', (data: Buffer) => {
    const parts = (partial + data.toString('utf8')).split('\n');
    partial = parts.pop()!;
    for (const text of parts) lines.push({ at: Date.now(), text });
  });
  const finished = new Promise<{ code: number | null; at: number }>((resolve) =>
    child.once('exit', (code) => resolve({ code, at: Date.now() })),
  );
  return { lines, finished };
}

async function listed(node: NodeProcess): Promise<string[]> {
  const { reply } = await peers.request(node.address, { type: 'list-videos' });
  return reply.videos.map((video) => video.name);
}

/** Length and sha256: compares megabytes at once, and a failure still says how they differ in size. */
function digest(bytes: Buffer): string {
  return `${bytes.length} bytes, sha256 ${createHash('sha256').update(bytes).digest('hex')}`;
}

/** The longest wait between one progress line and the next (or the end), from the first line on. */
function longestGap(run: PlayRun, end: number): number {
  const times = [...run.lines.map((line) => line.at), end];
  return Math.max(...times.slice(1).map((time, i) => time - times[i]!));
}

describe.skipIf(noFfmpeg)('add to a running source', () => {
  it('while three children stream: no stream stalls, a level-2 node lists the video within 1 s and plays it', async () => {
    // The source's upload limit stretches each stream over several seconds, so the add happens
    // while all three are mid-stream.
    const src = await swarm.start({
      name: 'source',
      store: source.store,
      extra: ['--upload-limit', '300KB'],
    });
    const mit = await swarm.start({ name: 'mit', master: src });
    const harvard = await swarm.start({ name: 'harvard', master: src });
    const ben = await swarm.start({ name: 'ben', master: mit, supermaster: src });
    const viewers = [mit, harvard, ben];
    // Every level has looked at the library already: its cache would hide a new video for 2 s.
    for (const node of viewers) expect(await listed(node)).toEqual(['movie']);

    const outDir = swarm.dir('plays');
    const runs = viewers.map((node) => play(node, 'movie', path.join(outDir, `${node.name}.mp4`)));
    await waitFor(() => runs.every((run) => run.lines.length > 0), 'all three streams under way', 15_000);

    const clip = (await smallClip(12)).path;
    const addStarted = Date.now();
    const added = await runCli([
      'add',
      clip,
      '--store',
      source.store,
      '--name',
      'fresh',
      '--chunk-duration',
      '1s',
      '--json',
    ]);
    const addReturned = Date.now();
    expect(added.code, added.stderr).toBe(0);
    expect(added.stderr).toMatch(/added fresh: .*the running node announced it to its children/);
    const manifest = JSON.parse(added.stdout) as MediaManifest;
    expect(manifest).toMatchObject({ name: 'fresh', kind: 'fmp4' });

    await waitFor(async () => (await listed(ben)).includes('fresh'), 'fresh listed at level 2', 1_000);
    const listedAfter = Date.now() - addReturned;
    console.info(
      `add took ${addReturned - addStarted} ms; listed at level 2 ${listedAfter} ms after it returned`,
    );
    expect(listedAfter).toBeLessThan(1_000);

    const ends = await Promise.all(runs.map((run) => run.finished));
    for (const [i, node] of viewers.entries()) {
      const { code, at } = ends[i]!;
      expect(code, runs[i]!.lines.map((line) => line.text).join('\n')).toBe(0);
      expect(digest(readFileSync(path.join(outDir, `${node.name}.mp4`)))).toBe(digest(source.exported));
      // The add really happened mid-stream, and no stream waited long for any chunk meanwhile.
      expect(at, `${node.name} finished before the add returned`).toBeGreaterThan(addReturned);
      const gap = longestGap(runs[i]!, at);
      console.info(`${node.name}: stream ended ${at - addReturned} ms after the add; longest gap ${gap} ms`);
      expect(gap).toBeLessThan(3_000);
    }
    for (const node of viewers) expect(node.alive).toBe(true);

    // The new video plays from level 2 exactly as the source exports it, and the source pinned it.
    const fromBen = path.join(outDir, 'fresh-ben.mp4');
    const played = await runCli(['play', '--from', ben.address, 'fresh', '-o', fromBen]);
    expect(played.code, played.stderr).toBe(0);
    const exportedPath = path.join(outDir, 'fresh-source.mp4');
    const exported = await runCli(['export', 'fresh', '--store', source.store, '-o', exportedPath]);
    expect(exported.code, exported.stderr).toBe(0);
    const bytes = readFileSync(fromBen);
    expect(digest(bytes)).toBe(digest(readFileSync(exportedPath)));
    expect(bytes.length).toBe(
      manifest.init.size + manifest.chunks.reduce((sum, chunk) => sum + chunk.size, 0),
    );
    const ls = await runCli(['ls', '--store', source.store, '--json']);
    const fresh = (
      JSON.parse(ls.stdout) as Array<{ name: string; pinned: boolean; chunksHeld: number }>
    ).find((video) => video.name === 'fresh');
    expect(fresh).toMatchObject({ pinned: true, chunksHeld: manifest.chunks.length });
    expect(src.alive).toBe(true);
  }, 180_000);
});
