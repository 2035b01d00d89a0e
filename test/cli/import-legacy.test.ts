/**
 * Video databases of the original system: `<db>/manifest.json` = {"name": chunkCount} and chunks at
 * `<db>/<name>/<n>.chunk`, 0-based, made here as the original bin/split_video did with `-c`: a real media
 * file cut into fixed 64 KiB byte pieces, the last one shorter. Imported, listed as legacy, and exported
 * byte for byte; broken databases import nothing.
 */
import { mkdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectOneLineError,
  expectUnchanged,
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
import { signatureProblem } from '../../core/trust/manifest-signature.js';

const noFfmpeg = lacks(requires.ffmpeg);

const PIECE = 64 * 1024;

let work: string;
let original: Buffer;

/** Writes a database in the original layout; `videos` maps a name to the bytes split into pieces. */
function writeDatabase(label: string, videos: Record<string, Buffer>, manifest?: unknown): string {
  const dir = path.join(work, label);
  mkdirSync(dir, { recursive: true });
  const counts: Record<string, number> = {};
  for (const [name, bytes] of Object.entries(videos)) {
    mkdirSync(path.join(dir, name), { recursive: true });
    let index = 0;
    for (let offset = 0; offset < bytes.length; offset += PIECE, index++) {
      writeFileSync(path.join(dir, name, `${index}.chunk`), bytes.subarray(offset, offset + PIECE));
    }
    counts[name] = index;
  }
  const text = typeof manifest === 'string' ? manifest : JSON.stringify(manifest ?? counts);
  writeFileSync(path.join(dir, 'manifest.json'), text);
  return dir;
}

beforeAll(async () => {
  work = tempDir('cli-legacy');
  original = readFileSync((await smallClip()).path);
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe.skipIf(noFfmpeg)('a database in the original format', () => {
  let store: string;
  let chunkCount: number;

  beforeAll(async () => {
    const database = writeDatabase('db', { movie: original });
    chunkCount = Math.ceil(original.length / PIECE);
    // The fixture must exercise a short last piece and a middle to start from.
    expect(chunkCount).toBeGreaterThanOrEqual(3);
    expect(original.length % PIECE).not.toBe(0);
    store = path.join(work, 'store');
    const result = await mustRun(['import-legacy', database, '--store', store]);
    expect(result.stdout).toBe(`imported 1 video(s) into ${store}\n`);
    expect(result.stderr).toBe(`imported movie (${chunkCount} chunks)\n`);
  });

  it('ls shows it as legacy, with every chunk held', async () => {
    const table = await mustRun(['ls', '--store', store]);
    expect(table.stdout).toMatch(
      new RegExp(`^movie\\s+[a-z2-7]{8}\\s+legacy\\s+-\\s+.+\\s+${chunkCount}/${chunkCount}\\s`, 'm'),
    );
    const [video] = await listStore(store);
    // Imported videos are published like ingested ones: signed by the store's key.
    expect(signatureProblem(video!.manifest)).toBeNull();
    expect(table.stdout).toContain(` ${video!.manifest.publisher!.slice(0, 8)} `);
    expect(video!.manifest).toMatchObject({ kind: 'legacy', name: 'movie', init: null, duration: null });
    expect(video!.manifest.chunks.map((chunk) => chunk.size)).toEqual([
      ...Array<number>(chunkCount - 1).fill(PIECE),
      original.length - (chunkCount - 1) * PIECE,
    ]);
  });

  it('export reproduces the original file byte for byte', async () => {
    const out = path.join(work, 'movie.out');
    await mustRun(['export', 'movie', '--store', store, '-o', out]);
    expect(readFileSync(out).equals(original)).toBe(true);
  });

  it('export --from-chunk k reproduces the bytes from k * 64 KiB', async () => {
    for (let k = 1; k < chunkCount; k++) {
      const out = path.join(work, `movie-${k}.out`);
      await mustRun(['export', 'movie', '--store', store, '--from-chunk', String(k), '-o', out]);
      expect(readFileSync(out).equals(original.subarray(k * PIECE)), `from chunk ${k}`).toBe(true);
    }
    const past = await runCli(['export', 'movie', '--store', store, '--from-chunk', String(chunkCount)]);
    expectOneLineError(past, new RegExp(`--from-chunk ${chunkCount} is out of range for "movie"`));
  });

  it('verify re-hashes legacy chunks too', async () => {
    const result = await mustRun(['verify', '--store', store]);
    expect(result.stdout).toMatch(new RegExp(`^checked ${chunkCount} chunks .+: all good\\n$`));
  });

  it('importing it again is refused without --replace, and replaces with it', async () => {
    const database = path.join(work, 'db');
    const before = await snapshot(store);
    const again = await runCli(['import-legacy', database, '--store', store]);
    expectOneLineError(
      again,
      literal(database),
      /already has a video named "movie"/,
      /Pass --replace to overwrite it/,
      /Nothing was imported/,
    );
    await expectUnchanged(store, before);
    await mustRun(['import-legacy', database, '--store', store, '--replace']);
    const out = path.join(work, 'movie-replaced.out');
    await mustRun(['export', 'movie', '--store', store, '-o', out]);
    expect(readFileSync(out).equals(original)).toBe(true);
  });
});

describe.skipIf(noFfmpeg)('a broken database imports nothing', () => {
  let store: string;
  let baseline: StoreSnapshot;

  beforeAll(async () => {
    store = path.join(work, 'kept-store');
    await mustRun([
      'import-legacy',
      writeDatabase('good', { kept: original.subarray(0, 3 * PIECE + 10) }),
      '--store',
      store,
    ]);
    baseline = await snapshot(store);
  });

  async function importFails(database: string, ...patterns: RegExp[]): Promise<void> {
    const result = await runCli(['import-legacy', database, '--store', store]);
    expectOneLineError(result, ...patterns);
    await expectUnchanged(store, baseline);
  }

  it('no manifest.json', async () => {
    const dir = path.join(work, 'empty-dir');
    mkdirSync(dir);
    await importFails(
      dir,
      literal(path.join(dir, 'manifest.json')),
      /does not exist/,
      /Point import-legacy at/,
    );
  });

  it('the database path is a file', async () => {
    const file = path.join(work, 'not-a-dir');
    writeFileSync(file, '{}');
    await importFails(file, literal(file), /is not a directory/, /Point import-legacy at/);
  });

  it('manifest.json is not JSON', async () => {
    const dir = writeDatabase('bad-json', { a: original.subarray(0, 10) }, '{"a": 1,');
    await importFails(
      dir,
      literal(path.join(dir, 'manifest.json')),
      /is not valid JSON/,
      /e\.g\. \{"movie": 42\}/,
    );
  });

  it.each([
    ['an array', '[1, 2]'],
    ['a number', '3'],
    ['null', 'null'],
  ])('manifest.json is %s', async (what, text) => {
    const dir = writeDatabase(`shape-${what.replace(/ /g, '-')}`, {}, text);
    await importFails(dir, /must be a JSON object mapping each video name to its chunk count/);
  });

  it.each([
    ['negative', -1],
    ['not a whole number', 1.5],
    ['a string', '1'],
    ['null', null],
    ['huge', 1e12],
  ])('a chunk count that is %s', async (what, count) => {
    const dir = writeDatabase(
      `count-${what.replace(/ /g, '-')}`,
      { a: original.subarray(0, 10) },
      { a: count },
    );
    await importFails(
      dir,
      new RegExp(
        `the chunk count of "a" is ${literal(JSON.stringify(count)).source}; expected a whole number`,
      ),
    );
  });

  it.each([
    ['../', '../escape'],
    ['a slash', 'x/y'],
    ['a control character', 'bell\u0007'],
  ])('a video name with %s', async (_what, name) => {
    const dir = writeDatabase(`name-${Math.random().toString(36).slice(2)}`, {}, { [name]: 1 });
    await importFails(dir, literal(JSON.stringify(name)), /is not allowed/, /Rename it in the manifest/);
  });

  it('a missing chunk file', async () => {
    const dir = writeDatabase('missing-chunk', { a: original.subarray(0, 2 * PIECE) });
    rmSync(path.join(dir, 'a', '1.chunk'));
    await importFails(
      dir,
      /chunk 1 of "a" is missing or unreadable/,
      literal(path.join(dir, 'a', '1.chunk')),
      /restore the file or fix the count/,
    );
  });

  it('the count promises more chunks than there are', async () => {
    const dir = writeDatabase('short', { a: original.subarray(0, PIECE) }, { a: 2 });
    await importFails(dir, /chunk 1 of "a" is missing/);
  });

  it('an empty chunk file, which no manifest may name', async () => {
    const dir = writeDatabase('empty-chunk', { a: original.subarray(0, 2 * PIECE) });
    writeFileSync(path.join(dir, 'a', '1.chunk'), Buffer.alloc(0));
    await importFails(
      dir,
      /chunk 1 of "a" at .* is 0 bytes; a chunk must be 1 to 67108864 bytes/,
      /Nothing was imported/,
    );
  });

  it('a chunk that is a symbolic link to a file elsewhere (e.g. /etc/passwd)', async () => {
    const dir = writeDatabase('linked-chunk', { a: original.subarray(0, 2 * PIECE) });
    const secret = path.join(work, 'secret.txt');
    writeFileSync(secret, 'root:x:0:0:root:/root:/bin/bash\n');
    rmSync(path.join(dir, 'a', '1.chunk'));
    symlinkSync(secret, path.join(dir, 'a', '1.chunk'));
    await importFails(
      dir,
      /chunk 1 of "a" at .* is a symbolic link; import-legacy follows none/,
      /Replace the link with a copy of the chunk/,
      /Nothing was imported/,
    );
  });

  it("a video's directory that links outside the database", async () => {
    const outside = writeDatabase('elsewhere', { a: original.subarray(0, 2 * PIECE) });
    const dir = writeDatabase('linked-dir', {}, { a: 2 });
    symlinkSync(path.join(outside, 'a'), path.join(dir, 'a'));
    await importFails(
      dir,
      /chunk 0 of "a" at .* resolves to .*elsewhere.*, outside the database directory/,
      /Copy the video's chunks into the database/,
    );
  });

  it('a 1 GiB chunk, over the 64 MiB limit, refused before it is read', async () => {
    const dir = writeDatabase('huge-chunk', { a: original.subarray(0, 2 * PIECE) });
    // Sparse: the size is what the import must refuse, without the disk space or the memory.
    truncateSync(path.join(dir, 'a', '1.chunk'), 2 ** 30);
    await importFails(
      dir,
      /chunk 1 of "a" at .* is 1073741824 bytes; a chunk must be 1 to 67108864 bytes/,
      /Nothing was imported/,
    );
  });

  it('a good video beside a broken one: neither is imported', async () => {
    const dir = writeDatabase('half-good', {
      good: original.subarray(0, 2 * PIECE),
      bad: original.subarray(0, 2 * PIECE),
    });
    rmSync(path.join(dir, 'bad', '0.chunk'));
    await importFails(dir, /chunk 0 of "bad" is missing/, /Nothing was imported/);
  });

  it('one name already in the store: the others are not imported either', async () => {
    const dir = writeDatabase('clash', { fresh: original.subarray(0, 10), kept: original.subarray(0, 10) });
    await importFails(dir, /already has a video named "kept"/, /Nothing was imported/);
  });

  it('no database argument, or two', async () => {
    expectOneLineError(
      await runCli(['import-legacy', '--store', store]),
      /expected 1 argument \(<db-dir>\), got none/,
    );
    expectOneLineError(await runCli(['import-legacy', 'a', 'b', '--store', store]), /got "a", "b"/);
    expectOneLineError(await runCli(['import-legacy', 'a']), /--store is required/);
  });
});
