/**
 * `add` given bad input: each case must end in one line naming the input and what to do, a non-zero
 * exit, and a store exactly as before (same `ls --json`, no new blob files, tmp/ empty). The store
 * holds a video from the start, which must survive every failure intact.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bindReadOnly,
  bulkyClip,
  expectOneLineError,
  expectUnchanged,
  filesUnder,
  listStore,
  literal,
  mountTmpfs,
  mustRun,
  runCli,
  snapshot,
  unmount,
  type StoreSnapshot,
} from './cli-helpers.js';
import { smallClip } from '../helpers/media-fixtures.js';
import { tempDir } from '../helpers/temp-dirs.js';
import { lacks, requires } from '../helpers/requirements.js';

const noFfmpeg = lacks(requires.ffmpeg);
const noMounts = lacks(requires.tmpfsMounts);

let work: string;
let store: string;
let clip: string;
let baseline: StoreSnapshot;
let exportedBefore: Buffer;
const mounts: string[] = [];

beforeAll(async () => {
  work = tempDir('cli-add-bad');
  store = path.join(work, 'store');
  clip = (await smallClip()).path;
  await mustRun(['add', clip, '--store', store, '--name', 'kept']);
  await mustRun(['export', 'kept', '--store', store, '-o', path.join(work, 'kept-before.mp4')]);
  exportedBefore = readFileSync(path.join(work, 'kept-before.mp4'));
  baseline = await snapshot(store);
});

afterAll(async () => {
  for (const dir of mounts.reverse()) await unmount(dir);
  rmSync(work, { recursive: true, force: true });
});

/** Runs `add` against the shared store and checks it failed cleanly, leaving the store as it was. */
async function addFails(args: string[], ...patterns: RegExp[]): Promise<string> {
  const result = await runCli(['add', ...args]);
  const line = expectOneLineError(result, ...patterns);
  await expectUnchanged(store, baseline);
  return line;
}

describe.skipIf(noFfmpeg)('the input file', () => {
  it('does not exist', async () => {
    const missing = path.join(work, 'no-such-video.mp4');
    await addFails([missing, '--store', store], literal(missing), /does not exist; check the path/);
  });

  it('is not media (a text file)', async () => {
    const text = path.join(work, 'notes.mp4');
    writeFileSync(text, 'these are my notes, not a video\n'.repeat(50));
    await addFails(
      [text, '--store', store],
      literal(text),
      /is not a video or audio file/,
      /choose a video file/,
    );
  });

  it('is a directory', async () => {
    await addFails([work, '--store', store], literal(work), /not a file; give the path of a video file/);
  });

  it('is an MP4 cut off halfway', async () => {
    const half = path.join(work, 'half.mp4');
    const bytes = readFileSync(clip);
    writeFileSync(half, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await addFails([half, '--store', store], literal(half), /truncated/, /download or copy the file again/);
  });

  it('is an MP4 whose media data is overwritten with garbage', async () => {
    const garbled = path.join(work, 'garbled.mp4');
    const bytes = Buffer.from(readFileSync(clip));
    // Keep the header boxes (moov, faststart), scramble everything after the first 40 KiB.
    for (let i = 40 * 1024; i < bytes.length; i++) bytes[i] = (i * 7919) & 0xff;
    writeFileSync(garbled, bytes);
    // The header still parses, so this is found only while ffmpeg cuts: chunks were already stored.
    await addFails(
      [garbled, '--store', store, '--name', 'garbled'],
      literal(garbled),
      /damaged or incomplete/,
      /download or copy the file again/,
    );
  });
});

describe.skipIf(noFfmpeg)('the name', () => {
  it('already exists (no --replace): refused, and the existing video exports identically', async () => {
    await addFails(
      [clip, '--store', store, '--name', 'kept'],
      literal(clip),
      /already has a video named "kept"/,
      /Pass --replace to overwrite it, or --name <other>/,
    );
    const again = path.join(work, 'kept-after.mp4');
    await mustRun(['export', 'kept', '--store', store, '-o', again]);
    expect(readFileSync(again).equals(exportedBefore)).toBe(true);
  });

  it('already exists and --replace is given, but the new file is bad: the old video stays', async () => {
    const text = path.join(work, 'replacement.txt');
    writeFileSync(text, 'not a video');
    await addFails([text, '--store', store, '--name', 'kept', '--replace'], literal(text), /not a video/);
  });

  it.each([
    ['a slash', 'a/b', /contains a path separator/],
    ['a backslash', 'a\\b', /contains a path separator/],
    ['".."', '..', /contains ".."/],
    ['"../"', '../escape', /contains a path separator|contains ".."/],
    ['a newline', 'two\nlines', /contains control characters/],
    ['a bell character', 'ding\u0007', /contains control characters/],
    ['a C1 control character (CSI)', 'esc\u009b2J', /contains control characters/],
    ['a line separator', 'two\u2028lines', /contains a line or paragraph separator/],
    ['a paragraph separator', 'two\u2029paras', /contains a line or paragraph separator/],
    ['a right-to-left override', 'movie\u202evom.exe', /text direction mark or override/],
    ['a right-to-left isolate', 'movie\u2067x', /text direction mark or override/],
    ['a right-to-left mark', 'movie\u200f', /text direction mark or override/],
    ['201 bytes', 'x'.repeat(201), /longer than 200 bytes/],
    ['201 bytes in 101 characters', 'é'.repeat(100) + 'x', /longer than 200 bytes/],
    ['leading whitespace', ' padded', /whitespace/],
  ])('--name with %s is refused', async (_what, name, problem) => {
    const line = await addFails(
      [clip, '--store', store, '--name', name],
      literal(JSON.stringify(name)),
      problem,
      /Use letters, digits/,
    );
    expect(line).not.toContain('\n');
  });

  it('exactly 200 bytes is allowed (the limit is inclusive)', async () => {
    const dir = path.join(work, 'long-name');
    await mustRun(['add', clip, '--store', dir, '--name', 'y'.repeat(200)]);
    expect((await listStore(dir)).map((video) => video.name)).toEqual(['y'.repeat(200)]);
  });

  it('a file name that cannot be a video name asks for --name', async () => {
    const odd = path.join(work, 'bad\u0001name.mp4');
    writeFileSync(odd, readFileSync(clip));
    await addFails([odd, '--store', store], /cannot use the file name/, /pass --name <name>/);
  });
});

describe.skipIf(noFfmpeg)('chunking flags', () => {
  it.each([
    ['--chunk-duration', '0', /--chunk-duration "0" is out of range; use 0.5s to 60s, e\.g\. 2s/],
    ['--chunk-duration', '-1', /--chunk-duration "-1" is out of range; use 0.5s to 60s/],
    ['--chunk-duration', 'abc', /--chunk-duration "abc" is not a duration\. Write seconds, e\.g\. 2s/],
    ['--chunk-duration', '1000s', /--chunk-duration "1000s" is out of range; use 0.5s to 60s/],
    ['--chunk-duration', '0.1s', /--chunk-duration "0.1s" is out of range/],
    ['--chunk-size', '0', /--chunk-size "0" is out of range; use 64k to 64m, e\.g\. 1m/],
    ['--chunk-size', '-5m', /--chunk-size "-5m" is out of range/],
    ['--chunk-size', '1k', /--chunk-size "1k" is out of range; use 64k to 64m/],
    ['--chunk-size', '2g', /--chunk-size "2g" is out of range; use 64k to 64m/],
    ['--chunk-size', 'xyz', /--chunk-size "xyz" is not a size\. Write a number with an optional unit/],
  ])('%s %s is refused before anything is read or written', async (flag, value, message) => {
    const result = await runCli(['add', clip, '--store', store, flag, value]);
    expectOneLineError(result, message);
    expect(result.code).toBe(2);
    await expectUnchanged(store, baseline);
  });

  it('--chunk-duration and --chunk-size together are refused', async () => {
    const result = await runCli([
      'add',
      clip,
      '--store',
      store,
      '--chunk-duration',
      '2s',
      '--chunk-size',
      '1m',
    ]);
    expectOneLineError(result, /--chunk-duration and --chunk-size were both given; choose one/);
    expect(result.code).toBe(2);
    await expectUnchanged(store, baseline);
  });
});

describe.skipIf(noFfmpeg)('the command line', () => {
  it('an unknown flag', async () => {
    const result = await runCli(['add', clip, '--store', store, '--bogus']);
    expectOneLineError(result, /unknown option '--bogus'/, /peerstreamer add --help/);
    expect(result.code).toBe(2);
    await expectUnchanged(store, baseline);
  });

  it('an unknown short flag', async () => {
    const result = await runCli(['add', clip, '--store', store, '-x']);
    expectOneLineError(result, /unknown option '-x'/, /peerstreamer add --help/);
    expect(result.code).toBe(2);
  });

  it('a flag without its value', async () => {
    const result = await runCli(['add', clip, '--store']);
    expectOneLineError(result, /--store/, /peerstreamer add --help/);
    expect(result.code).toBe(2);
  });

  it('no --store', async () => {
    const result = await runCli(['add', clip]);
    expectOneLineError(result, /--store is required/, /peerstreamer add --help/);
    expect(result.code).toBe(2);
  });

  it('no file', async () => {
    const result = await runCli(['add', '--store', store]);
    expectOneLineError(result, /expected 1 argument \(<file>\), got none/);
    expect(result.code).toBe(2);
  });

  it('an extra positional argument', async () => {
    const result = await runCli(['add', clip, 'extra.mp4', '--store', store]);
    expectOneLineError(result, /expected 1 argument \(<file>\)/, /"extra\.mp4"/);
    expect(result.code).toBe(2);
    await expectUnchanged(store, baseline);
  });
});

describe.skipIf(noFfmpeg)('bad input and a store that does not exist yet', () => {
  it.each([
    ['a missing file', (): string[] => [path.join(work, 'nope.mp4')]],
    ['a text file', (): string[] => [path.join(work, 'notes.mp4')]],
    ['a bad flag', (): string[] => [clip, '--chunk-size', '1k']],
    ['a bad name', (): string[] => [clip, '--name', 'a/b']],
  ])('%s does not create the store directory', async (_what, args) => {
    const fresh = path.join(work, `never-created-${Math.random().toString(36).slice(2)}`);
    const result = await runCli(['add', ...args(), '--store', fresh]);
    expectOneLineError(result);
    expect(filesUnder(work).some((file) => file.startsWith(path.basename(fresh)))).toBe(false);
  });
});

describe.skipIf(noFfmpeg)('a store that cannot be written', () => {
  it('the store path is a regular file', async () => {
    const file = path.join(work, 'store-is-a-file');
    writeFileSync(file, 'not a directory');
    const result = await runCli(['add', clip, '--store', file]);
    expectOneLineError(result, literal(clip), literal(file), /cannot be written/, /--store/);
    expect(readFileSync(file, 'utf8')).toBe('not a directory');
  });

  it('the store path lies under a regular file', async () => {
    const file = path.join(work, 'store-is-a-file');
    const result = await runCli(['add', clip, '--store', path.join(file, 'sub')]);
    expectOneLineError(result, literal(file), /cannot be written/, /not a directory/);
  });

  it('the store is on a read-only file system (empty)', async ({ skip }) => {
    skip(noMounts);
    const dir = path.join(work, 'ro-empty');
    mkdirSync(dir);
    await mountTmpfs(dir, 'ro,size=1m');
    mounts.push(dir);
    const result = await runCli(['add', clip, '--store', dir]);
    expectOneLineError(result, literal(clip), literal(dir), /read-only/, /--store/);
  });

  it('an existing store seen read-only: refused, and the store is untouched', async ({ skip }) => {
    skip(noMounts);
    const dir = path.join(work, 'ro-view');
    mkdirSync(dir);
    await bindReadOnly(store, dir);
    mounts.push(dir);
    const result = await runCli(['add', clip, '--store', dir, '--name', 'new']);
    expectOneLineError(result, literal(clip), literal(dir), /cannot be written/, /read-only/);
    await expectUnchanged(store, baseline);
  });
});

describe.skipIf(noFfmpeg || noMounts)('a disk that fills up mid-ingest', () => {
  let small: string;
  let before: StoreSnapshot;

  beforeAll(async () => {
    small = path.join(work, 'small-disk');
    mkdirSync(small);
    await mountTmpfs(small, 'size=2m');
    mounts.push(small);
    await mustRun(['add', clip, '--store', small, '--name', 'first']);
    before = await snapshot(small);
  });

  it('fails with "disk is full", naming the file and the store, and keeps what was there', async () => {
    const big = (await bulkyClip()).path;
    const result = await runCli(['add', big, '--store', small, '--name', 'too-big']);
    const line = expectOneLineError(result, literal(big), literal(small), /disk .*is full/, /free space/i);
    expect(line).toMatch(/Nothing of "too-big" was kept/);
    // The progress lines before the failure are fine; the failure itself is the last, single line.
    await expectUnchanged(small, before);
    expect((await listStore(small)).map((video) => video.name)).toEqual(['first']);
    await mustRun(['verify', '--store', small]);
    const out = path.join(work, 'first-after-full.mp4');
    await mustRun(['export', 'first', '--store', small, '-o', out]);
  });
});
