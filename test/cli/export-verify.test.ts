/**
 * export given bad input (one line, non-zero exit, no output file left behind or damaged), the read
 * commands on a store that does not exist, and verify finding chunk files damaged on disk.
 */
import {
  existsSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
  openSync,
  writeSync,
  closeSync,
} from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MediaManifest } from '../../core/shared/manifest.js';
import {
  decodeErrors,
  expectOneLineError,
  expectUnchanged,
  filesUnder,
  listStore,
  literal,
  mustRun,
  runCli,
  snapshot,
  type StoreSnapshot,
} from './cli-helpers.js';
import { smallClip } from '../helpers/media-fixtures.js';
import { tempDir } from '../helpers/temp-dirs.js';
import { lacks, requires } from '../helpers/requirements.js';

const noFfmpeg = lacks(requires.ffmpeg);

let work: string;
let store: string;
let clip: string;
let manifest: MediaManifest;
let baseline: StoreSnapshot;

beforeAll(async () => {
  work = tempDir('cli-export-verify');
  store = path.join(work, 'store');
  clip = (await smallClip()).path;
  const added = await mustRun(['add', clip, '--store', store, '--name', 'clip', '--json']);
  manifest = JSON.parse(added.stdout) as MediaManifest;
  baseline = await snapshot(store);
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** Runs `export` and checks it failed cleanly: no file at `output`, nothing partial beside it. */
async function exportFails(args: string[], output: string | undefined, ...patterns: RegExp[]): Promise<void> {
  const result = await runCli(['export', ...args, ...(output === undefined ? [] : ['-o', output])]);
  expectOneLineError(result, ...patterns);
  if (output !== undefined) expect(existsSync(output)).toBe(false);
  expect(filesUnder(work).filter((file) => file.includes('.partial'))).toEqual([]);
  await expectUnchanged(store, baseline);
}

describe.skipIf(noFfmpeg)('export: bad input', () => {
  it('an unknown video', async () => {
    await exportFails(
      ['nope', '--store', store],
      path.join(work, 'nope.mp4'),
      /video "nope" is not in the store/,
      literal(`peerstreamer ls --store ${store}`),
    );
  });

  it('--from-chunk one past the end', async () => {
    const count = manifest.chunks.length;
    await exportFails(
      ['clip', '--store', store, '--from-chunk', String(count)],
      path.join(work, 'past.mp4'),
      new RegExp(`--from-chunk ${count} is out of range for "clip": it has chunks 0 to ${count - 1}`),
    );
  });

  it.each(['-1', 'abc', '1.5', '', '0x1', '1e3'])('--from-chunk %j is not a chunk index', async (value) => {
    await exportFails(
      ['clip', '--store', store, '--from-chunk', value],
      path.join(work, 'bad-index.mp4'),
      literal(`--from-chunk ${JSON.stringify(value)} is not a chunk index; give a whole number from 0`),
    );
  });

  it('-o into a directory that does not exist', async () => {
    const output = path.join(work, 'no-such-dir', 'out.mp4');
    await exportFails(
      ['clip', '--store', store],
      output,
      literal(`-o ${output}`),
      /does not exist; create it first/,
    );
    expect(existsSync(path.dirname(output))).toBe(false);
  });

  it('-o naming a directory', async () => {
    const result = await runCli(['export', 'clip', '--store', store, '-o', work]);
    expectOneLineError(result, literal(`-o ${work} is a directory; give a file path`));
  });

  it('a failed export leaves an existing file of that name as it was', async () => {
    const output = path.join(work, 'precious.mp4');
    writeFileSync(output, 'my earlier export');
    const result = await runCli(['export', 'nope', '--store', store, '-o', output]);
    expectOneLineError(result, /"nope" is not in the store/);
    expect(readFileSync(output, 'utf8')).toBe('my earlier export');
    // And a successful one replaces it whole.
    await mustRun(['export', 'clip', '--store', store, '-o', output]);
    expect(await decodeErrors(output)).toBe('');
  });

  it('no name, two names, no --store, an unknown flag', async () => {
    expectOneLineError(
      await runCli(['export', '--store', store]),
      /expected 1 argument \(<name>\), got none/,
    );
    expectOneLineError(await runCli(['export', 'a', 'b', '--store', store]), /got "a", "b"/);
    expectOneLineError(await runCli(['export', 'clip']), /--store is required/);
    expectOneLineError(
      await runCli(['export', 'clip', '--store', store, '--from', '1']),
      /unknown option '--from'; did you mean --from-chunk\?/,
    );
  });
});

describe.skipIf(noFfmpeg)('read commands on a store that does not exist', () => {
  it.each([
    ['ls', (dir: string): string[] => ['ls', '--store', dir]],
    ['verify', (dir: string): string[] => ['verify', '--store', dir]],
    ['export', (dir: string): string[] => ['export', 'clip', '--store', dir, '-o', path.join(work, 'x.mp4')]],
  ])('%s says so and does not create it', async (command, args) => {
    const dir = path.join(work, `typo-${command}`);
    const result = await runCli(args(dir));
    expectOneLineError(result, literal(`the store ${dir} does not exist`), /check --store/);
    expect(existsSync(dir)).toBe(false);
  });
});

describe.skipIf(noFfmpeg)('verify', () => {
  /** A fresh copy of the clip in its own store, so damaging it does not disturb the other tests. */
  async function freshStore(label: string): Promise<{ dir: string; blob: (index: number) => string }> {
    const dir = path.join(work, `verify-${label}`);
    const result = await mustRun(['add', clip, '--store', dir, '--name', 'clip', '--json']);
    const own = JSON.parse(result.stdout) as MediaManifest;
    const blob = (index: number): string => {
      const sha256 = index === -1 ? own.init.sha256 : own.chunks[index]!.sha256;
      return path.join(dir, 'blobs', sha256.slice(0, 2), sha256);
    };
    return { dir, blob };
  }

  it('a clean store: exit 0, text and --json', async () => {
    const text = await mustRun(['verify', '--store', store]);
    expect(text.stdout).toMatch(
      new RegExp(`^checked ${manifest.chunks.length + 1} chunks \\(.+\\) in .+: all good\\n$`),
    );
    const json = JSON.parse((await mustRun(['verify', '--store', store, '--json'])).stdout) as {
      problems: unknown[];
      notHeld: unknown[];
    };
    expect(json.problems).toEqual([]);
    expect(json.notHeld).toEqual([]);
  });

  it('bytes flipped in a chunk file: reported by name, exit 1, the chunk dropped', async () => {
    const { dir, blob } = await freshStore('flipped');
    const file = blob(1);
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.from('CORRUPT!'), 0, 8, 200);
    closeSync(fd);

    const result = await runCli(['verify', '--store', dir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/: 1 bad, dropped from the store\n/);
    expect(result.stdout).toContain("  clip chunk 1: its file's sha256 does not match the manifest\n");
    expect(result.stdout).toMatch(/To restore "clip": add the source file again with .+--replace/);

    const [video] = await listStore(dir);
    expect(video!.chunksHeld).toBe(manifest.chunks.length - 1);
    expect(existsSync(file)).toBe(false);

    // Still a problem on the next run: the video this store ingested lacks a chunk.
    const again = await runCli(['verify', '--store', dir, '--json']);
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout)).toMatchObject({ problems: [], notHeld: [{ video: 'clip', index: 1 }] });

    // export cannot make a playable file without it: it says so and writes nothing.
    const output = path.join(work, 'flipped.mp4');
    const exported = await runCli(['export', 'clip', '--store', dir, '-o', output]);
    expectOneLineError(exported, /chunk 1 of "clip" is not held by the store/, /--replace/);
    expect(existsSync(output)).toBe(false);

    // Adding the file again restores it.
    await mustRun(['add', clip, '--store', dir, '--name', 'clip', '--replace']);
    await mustRun(['verify', '--store', dir]);
  });

  it('a truncated chunk file (the store drops it on open): still reported, exit 1', async () => {
    const { dir, blob } = await freshStore('truncated');
    truncateSync(blob(2), 100);
    const result = await runCli(['verify', '--store', dir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('  clip chunk 2: not held (its file was missing or had the wrong size');
  });

  it('a deleted init segment file: reported, exit 1', async () => {
    const { dir, blob } = await freshStore('no-init');
    rmSync(blob(-1));
    const result = await runCli(['verify', '--store', dir, '--json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ notHeld: [{ video: 'clip', index: -1 }] });
  });
});
