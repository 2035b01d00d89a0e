/**
 * The store commands doing their job: add (plain progress lines off a terminal, --json manifest), ls
 * (table and --json), export (whole and from chunk k; ffmpeg decodes both without a complaint),
 * --replace, and --chunk-size.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MediaManifest } from '../../core/shared/manifest.js';
import {
  decodeErrors,
  filesUnder,
  firstVideoFrame,
  listStore,
  mustRun,
  videoFramesAndStart,
} from './cli-helpers.js';
import { smallClip } from '../helpers/media-fixtures.js';
import { tempDir } from '../helpers/temp-dirs.js';
import { lacks, requires } from '../helpers/requirements.js';

const noFfmpeg = lacks(requires.ffmpeg);

let work: string;
let store: string;
let clip: string;
let manifest: MediaManifest;
let addResult: Awaited<ReturnType<typeof mustRun>>;

beforeAll(async () => {
  work = tempDir('cli-happy');
  store = path.join(work, 'store');
  clip = (await smallClip()).path;
  addResult = await mustRun([
    'add',
    clip,
    '--store',
    store,
    '--name',
    'clip',
    '--chunk-duration',
    '1s',
    '--json',
  ]);
  manifest = JSON.parse(addResult.stdout) as MediaManifest;
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe.skipIf(noFfmpeg)('add', () => {
  it('prints progress as plain lines (no bar) when stderr is not a terminal, then a summary', () => {
    const lines = addResult.stderr.trimEnd().split('\n');
    expect(addResult.stderr).not.toContain('\r');
    expect(addResult.stderr).not.toContain('\u001b[');
    const progress = lines.slice(0, -1);
    expect(progress.length).toBeGreaterThan(0);
    for (const line of progress) expect(line).toMatch(/^adding .+: \d{1,3}% .+ ETA /);
    expect(progress.at(-1)).toMatch(/: 100% /);
    expect(lines.at(-1)).toMatch(/^added clip: 0:06, 320x180, 6 chunks, .+ \(remux\)$/);
  });

  it('--json prints the manifest on stdout, and it is the one the store keeps', async () => {
    expect(manifest).toMatchObject({ kind: 'fmp4', name: 'clip', width: 320, height: 180 });
    expect(manifest.mimeType).toMatch(/^video\/mp4; codecs="avc1\.[0-9a-f]+, mp4a\.40\.2"$/);
    expect(manifest.duration).toBeCloseTo(6, 0);
    expect(manifest.chunks.map((chunk) => chunk.index)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const chunk of manifest.chunks) expect(chunk.sha256).toMatch(/^[0-9a-f]{64}$/);
    const [listed] = await listStore(store);
    expect(listed!.manifest).toEqual(manifest);
  });

  it('without --name the video is named after the file', async () => {
    const dir = path.join(work, 'default-name');
    await mustRun(['add', clip, '--store', dir]);
    const videos = await listStore(dir);
    expect(videos.map((video) => video.name)).toEqual([path.basename(clip, '.mp4')]);
  });

  it('--chunk-size cuts by bytes: chunks of at least that size, except the last', async () => {
    const dir = path.join(work, 'by-size');
    const result = await mustRun([
      'add',
      clip,
      '--store',
      dir,
      '--name',
      'sized',
      '--chunk-size',
      '64k',
      '--json',
    ]);
    const sized = JSON.parse(result.stdout) as MediaManifest;
    expect(sized.chunks.length).toBeGreaterThan(1);
    for (const chunk of sized.chunks.slice(0, -1)) expect(chunk.size).toBeGreaterThanOrEqual(64 * 1024);
  });
});

describe.skipIf(noFfmpeg)('ls', () => {
  it('prints a table with kind, resolution, duration and chunks held', async () => {
    const result = await mustRun(['ls', '--store', store]);
    const [header, row, ...rest] = result.stdout.trimEnd().split('\n');
    expect(rest).toEqual([]);
    expect(header!.split(/\s+/)).toEqual([
      'NAME',
      'PUBLISHER',
      'KIND',
      'DURATION',
      'SIZE',
      'CHUNKS',
      'HELD',
      'PINNED',
    ]);
    expect(row).toMatch(/^clip\s+[a-z2-7]{8}\s+fmp4 320x180\s+0:06\s+\S+ \S+\s+6\/6\s+\S+ \S+\s+yes\s*$/);
  });

  it('--json lists every video with its manifest and what is held', async () => {
    const videos = await listStore(store);
    expect(videos).toHaveLength(1);
    expect(videos[0]).toMatchObject({ name: 'clip', pinned: true, chunksHeld: 6, hasInit: true });
  });

  it('says how to add a video when the store is empty', async () => {
    // An empty legacy database imports nothing, but leaves a store: the simplest empty store there is.
    const database = path.join(work, 'empty-db');
    mkdirSync(database);
    writeFileSync(path.join(database, 'manifest.json'), '{}');
    const empty = path.join(work, 'empty');
    await mustRun(['import-legacy', database, '--store', empty]);
    const result = await mustRun(['ls', '--store', empty]);
    expect(result.stdout).toBe(
      `no videos in ${empty}. Add one with \`peerstreamer add <file> --store ${empty}\`.\n`,
    );
    expect(JSON.parse((await mustRun(['ls', '--store', empty, '--json'])).stdout)).toEqual([]);
  });
});

describe.skipIf(noFfmpeg)('export', () => {
  it('writes the whole video as a file ffmpeg decodes without a complaint', async () => {
    const out = path.join(work, 'whole.mp4');
    const result = await mustRun(['export', 'clip', '--store', store, '-o', out]);
    expect(result.stderr).toMatch(/^exported clip \(6 chunks, .+\)\n$/);
    expect(await decodeErrors(out)).toBe('');
    expect(await videoFramesAndStart(out)).toEqual({ frames: 144, start: expect.closeTo(0, 1) as number });
  });

  it('writes to stdout when there is no -o, the same bytes as with -o', async () => {
    const result = await mustRun(['export', 'clip', '--store', store]);
    expect(Buffer.from(result.stdout, 'latin1')).toEqual(readFileSync(path.join(work, 'whole.mp4')));
  });

  it.each([1, 3, 5])('--from-chunk %i writes a file that decodes and starts on a keyframe', async (k) => {
    const out = path.join(work, `from-${k}.mp4`);
    const result = await mustRun(['export', 'clip', '--store', store, '--from-chunk', String(k), '-o', out]);
    expect(result.stderr).toMatch(new RegExp(`^exported clip \\(${6 - k} chunks?, .+\\)\\n$`));
    expect(await decodeErrors(out)).toBe('');
    expect((await firstVideoFrame(out)).keyFrame).toBe(true);
    // 24 fps, one keyframe a second, one-second chunks: chunk k starts at k s and holds 24 frames.
    const shown = await videoFramesAndStart(out);
    // (The manifest's start is when the first keyframe shows; audio may start a few ms earlier.)
    expect(Math.abs(shown.start - (manifest.chunks[k]!.start ?? Number.NaN))).toBeLessThan(0.1);
    expect(Math.abs(shown.start - k)).toBeLessThan(0.1);
    expect(shown.frames).toBe(24 * (6 - k));
    // Exactly the init segment and chunks k..end, nothing else.
    const size = manifest.init.size + manifest.chunks.slice(k).reduce((sum, chunk) => sum + chunk.size, 0);
    expect(readFileSync(out).length).toBe(size);
  });

  it('leaves no temporary file beside the output', () => {
    expect(filesUnder(work).filter((file) => file.includes('partial'))).toEqual([]);
  });
});

describe.skipIf(noFfmpeg)('verify', () => {
  it('a clean store: exit 0, every chunk checked', async () => {
    const text = await mustRun(['verify', '--store', store]);
    expect(text.stdout).toMatch(/^checked 7 chunks \(.+\) in .+: all good\n$/);
    const json = await mustRun(['verify', '--store', store, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ checkedChunks: 7, problems: [], notHeld: [] });
  });
});

describe.skipIf(noFfmpeg)('add --replace', () => {
  it('replaces the video: new manifest, old chunk files gone, exports the new one', async () => {
    const dir = path.join(work, 'replace');
    await mustRun(['add', clip, '--store', dir, '--name', 'movie', '--chunk-duration', '1s']);
    const before = filesUnder(path.join(dir, 'blobs'));
    const result = await mustRun([
      'add',
      clip,
      '--store',
      dir,
      '--name',
      'movie',
      '--chunk-duration',
      '3s',
      '--replace',
      '--json',
    ]);
    const replaced = JSON.parse(result.stdout) as MediaManifest;
    expect(replaced.chunks).toHaveLength(2);
    const videos = await listStore(dir);
    expect(videos.map((video) => [video.name, video.chunksHeld])).toEqual([['movie', 2]]);
    expect(videos[0]!.manifest).toEqual(replaced);
    // The old chunks' files are deleted; only the new video's (init + 2 chunks) remain.
    const after = filesUnder(path.join(dir, 'blobs'));
    expect(after).toHaveLength(3);
    expect(after).not.toEqual(before);
    expect(filesUnder(path.join(dir, 'tmp'))).toEqual([]);
    const out = path.join(work, 'replaced.mp4');
    await mustRun(['export', 'movie', '--store', dir, '-o', out]);
    expect(await decodeErrors(out)).toBe('');
  });
});
