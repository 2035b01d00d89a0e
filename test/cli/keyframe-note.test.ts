/**
 * `add --chunk-duration 2s` on a video whose keyframes are 8 s apart: the chunks can only follow the
 * keyframes, and add says so in one line (and still adds the video) instead of leaving the user to
 * wonder why seeking jumps in 8 s steps.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MediaManifest } from '../../core/shared/manifest.js';
import { generateFixture, smallClip } from '../helpers/media-fixtures.js';
import { mustRun } from './cli-helpers.js';
import { tempDir } from '../helpers/temp-dirs.js';
import { Swarm } from '../helpers/swarm.js';
import { lacks, requires } from '../helpers/requirements.js';

const noFfmpeg = lacks(requires.ffmpeg);

let work: string;
let gop8: string;
let oneKeyframe: string;

/** H.264 at 24 fps with a keyframe every `gop` frames: what a screen recorder or a camera may write. */
function clip(name: string, seconds: number, gop: number): Promise<string> {
  return generateFixture(name, 'mp4', [
    ...['-f', 'lavfi', '-i', `testsrc2=size=320x180:rate=24:duration=${seconds}`],
    ...['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p'],
    ...['-g', String(gop), '-keyint_min', String(gop), '-sc_threshold', '0', '{out}'],
  ]);
}

beforeAll(async () => {
  work = tempDir('cli-keyframes');
  gop8 = await clip('cli-gop-8s', 24, 192);
  oneKeyframe = await clip('cli-one-keyframe', 6, 1000);
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

const lastLine = (text: string): string => text.trimEnd().split('\n').at(-1)!;

describe.skipIf(noFfmpeg)('add with keyframes farther apart than --chunk-duration', () => {
  it('adds the video and says in one line why its chunks are 8 s, not 2 s', async () => {
    const result = await mustRun([
      'add',
      gop8,
      '--store',
      path.join(work, 'a'),
      '--chunk-duration',
      '2s',
      '--json',
    ]);
    const manifest = JSON.parse(result.stdout) as MediaManifest;
    expect(manifest.chunks.map((chunk) => Math.round(chunk.duration ?? 0))).toEqual([8, 8, 8]);
    expect(lastLine(result.stderr)).toBe(
      `note: keyframes in ${gop8} are 8.0 s apart, so chunks follow them: about 8 s each, not 2 s; re-encode with a shorter GOP to get 2 s chunks`,
    );
    expect(result.stderr.match(/note:/g)).toHaveLength(1);
  });

  it('says the default 1 s cannot be met either, when no --chunk-duration is given', async () => {
    const result = await mustRun(['add', gop8, '--store', path.join(work, 'b')]);
    expect(lastLine(result.stderr)).toMatch(/^note: keyframes in .* are 8\.0 s apart, .* not 1 s;/);
  });

  it('names a video with a keyframe only at its start', async () => {
    const result = await mustRun([
      'add',
      oneKeyframe,
      '--store',
      path.join(work, 'c'),
      '--chunk-duration',
      '1s',
    ]);
    expect(lastLine(result.stderr)).toBe(
      `note: ${oneKeyframe} has a keyframe only at its start, so it is one chunk of about 6 s, not 1 s chunks; re-encode with a shorter GOP to get 1 s chunks`,
    );
  });

  it('says the same when a running node does the ingest (the note crosses its control socket)', async () => {
    const swarm = new Swarm();
    try {
      const store = path.join(work, 'running');
      await swarm.start({ name: 'source', store });
      const result = await mustRun(['add', gop8, '--store', store, '--chunk-duration', '2s']);
      expect(result.stderr).toContain('the running node announced it to its children');
      expect(lastLine(result.stderr)).toBe(
        `note: keyframes in ${gop8} are 8.0 s apart, so chunks follow them: about 8 s each, not 2 s; re-encode with a shorter GOP to get 2 s chunks`,
      );
    } finally {
      await swarm.stop();
    }
  });

  it.each<[string, () => Promise<string>, string[]]>([
    ['a chunk duration the keyframes allow', () => Promise.resolve(gop8), ['--chunk-duration', '8s']],
    ['keyframes every second and the default 2 s', async () => (await smallClip()).path, []],
    ['chunks cut by size', () => Promise.resolve(gop8), ['--chunk-size', '64k']],
  ])('says nothing for %s', async (what, file, flags) => {
    const result = await mustRun(['add', await file(), '--store', path.join(work, what), ...flags]);
    expect(result.stderr).not.toContain('note:');
    expect(lastLine(result.stderr)).toMatch(/^added /);
  });
});
