/**
 * `-o` naming a device or a FIFO (`-o /dev/null` to time a play, a named pipe a player reads): the
 * command writes into it and never renames over it or deletes it, even when it fails. As root, a
 * deleted /dev/null breaks every program on the machine, and a test of this suite once did exactly
 * that through `play -o /dev/null`.
 */
import { execFileSync } from 'node:child_process';
import {
  createReadStream,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lacks, requires } from '../helpers/requirements.js';
import { mustRun, runCli } from './cli-helpers.js';
import { smallClip } from '../helpers/media-fixtures.js';
import { tempDir } from '../helpers/temp-dirs.js';

const noFfmpeg = lacks(requires.ffmpeg);
// FIFOs, like Unix sockets, are a Unix file type.
const noFifos = lacks(requires.unixSockets);

let work: string;
let store: string;

beforeAll(async () => {
  work = tempDir('cli-special-out');
  store = path.join(work, 'store');
  await mustRun(['add', (await smallClip()).path, '--store', store, '--name', 'clip']);
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

function fifo(name: string): string {
  const file = path.join(work, name);
  execFileSync('mkfifo', [file]);
  return file;
}

/** Everything written into the FIFO until its writer closes it. */
function drain(file: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    createReadStream(file)
      .on('data', (part) => parts.push(part as Buffer))
      .on('end', () => resolve(Buffer.concat(parts)))
      .on('error', reject);
  });
}

describe.skipIf(noFfmpeg || noFifos)('an -o that is not a plain file', () => {
  it('export writes a whole video into a FIFO, which stays a FIFO', async () => {
    const expected = path.join(work, 'clip.mp4');
    await mustRun(['export', 'clip', '--store', store, '-o', expected]);
    const pipe = fifo('export.fifo');
    const [received, result] = await Promise.all([
      drain(pipe),
      runCli(['export', 'clip', '--store', store, '-o', pipe]),
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(received.equals(readFileSync(expected))).toBe(true);
    expect(lstatSync(pipe).isFIFO()).toBe(true);
  });

  it('a play that fails leaves a FIFO and /dev/null as they were', async () => {
    const pipe = fifo('play.fifo');
    const [, failed] = await Promise.all([
      drain(pipe),
      runCli(['play', '--from', 'tcp://127.0.0.1:1', 'clip', '-o', pipe]),
    ]);
    expect(failed.code).not.toBe(0);
    expect(lstatSync(pipe).isFIFO()).toBe(true);

    const devNull = await runCli(['play', '--from', 'tcp://127.0.0.1:1', 'clip', '-o', '/dev/null']);
    expect(devNull.code).not.toBe(0);
    expect(lstatSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  it('a play that fails still removes the partial plain file it created', async () => {
    const partial = path.join(work, 'partial.mp4');
    const failed = await runCli(['play', '--from', 'tcp://127.0.0.1:1', 'clip', '-o', partial]);
    expect(failed.code).not.toBe(0);
    expect(() => lstatSync(partial)).toThrow(/ENOENT/);
  });
});

describe.skipIf(noFfmpeg)('an -o that names an earlier file', () => {
  it('a play that fails leaves it untouched, and nothing beside it', async () => {
    const dir = path.join(work, 'earlier');
    mkdirSync(dir);
    const earlier = path.join(dir, 'movie.mp4');
    writeFileSync(earlier, 'the movie exported yesterday\n');
    const failed = await runCli(['play', '--from', 'tcp://127.0.0.1:1', 'clip', '-o', earlier]);
    expect(failed.code).not.toBe(0);
    expect(readFileSync(earlier, 'utf8')).toBe('the movie exported yesterday\n');
    expect(readdirSync(dir)).toEqual(['movie.mp4']);
  });
});
