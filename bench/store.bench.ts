import Database from 'better-sqlite3';
import { execFile, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { legacyManifest } from '../core/shared/manifest.js';
import { ChunkStore } from '../core/store/chunk-store.js';
import { median, timeRuns, type BenchRow, type BenchSuite } from './harness.js';

/**
 * The chunk store against its targets. Writes are compared side by side with `dd oflag=dsync` on the
 * same file system in the same run, because an fsync's cost depends wholly on the machine. Chunks are
 * random so deduplication cannot flatter the write figure.
 */
const MIB = 1024 * 1024;
const WRITE_CHUNKS = 64;
const RUNS = 7;
const INDEXED_CHUNKS = 100_000;
const CHUNKS_PER_VIDEO = 1000;

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const run = promisify(execFile);

function row(
  suite: string,
  what: string,
  value: number,
  unit: string,
  target: string,
  pass: boolean,
  detail: string,
): BenchRow {
  return { suite, what, value, unit, target, pass, detail };
}

/**
 * How a write run stores its chunks; each is timed against dd in the same round. `known` is the
 * chunks' manifest entries where the caller has them before writing (the fetch path gets the
 * manifest from the network), so the bench does not hash on their behalf.
 */
const WRITE_PATHS = {
  /**
   * Ingest as ingestVideo does it: a VideoWriter given the chunks one after another, then the
   * manifest built from the hashes the store computed while writing (writtenRefs), then commit (the
   * group commit path).
   */
  ingest: async (store: ChunkStore, name: string, chunks: Buffer[]): Promise<void> => {
    const writer = store.beginVideo(name, { replace: false });
    for (const [index, bytes] of chunks.entries()) await writer.writeChunk(index, bytes);
    const written = await writer.writtenRefs();
    await writer.commit(
      legacyManifest(
        name,
        chunks.map((_, index) => written.get(index)!),
      ),
      {
        pinned: false,
      },
    );
  },
  /** The fetch path: verified chunks stored in the background, PUTS_IN_FLIGHT at a time. */
  puts: async (store: ChunkStore, name: string, chunks: Buffer[], known: ChunkRef[]): Promise<void> => {
    store.putManifest(legacyManifest(name, known));
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < chunks.length) {
        const index = next++;
        await store.putChunk(name, index, chunks[index]!);
      }
    };
    await Promise.all(Array.from({ length: PUTS_IN_FLIGHT }, worker));
  },
  /** One putChunk at a time, each awaited: nothing to group (the figure before group commit). */
  serial: async (store: ChunkStore, name: string, chunks: Buffer[], known: ChunkRef[]): Promise<void> => {
    store.putManifest(legacyManifest(name, known));
    for (const [index, bytes] of chunks.entries()) await store.putChunk(name, index, bytes);
  },
} as const;
type WritePath = keyof typeof WRITE_PATHS;
const PUTS_IN_FLIGHT = 8;

type ChunkRef = { size: number; sha256: string };

function refs(chunks: Buffer[]): ChunkRef[] {
  return chunks.map((bytes) => ({ size: bytes.length, sha256: sha256(bytes) }));
}

async function writesAndReads(root: string): Promise<BenchRow[]> {
  const dir = path.join(root, 'rw');
  const store = await ChunkStore.open(dir);
  const ddFile = path.join(root, 'dd.out');
  const paths = Object.keys(WRITE_PATHS) as WritePath[];
  const samples = new Map<WritePath | 'dd', number[]>([...paths, 'dd' as const].map((key) => [key, []]));
  const ratios = new Map<WritePath, number[]>(paths.map((key) => [key, []]));
  let readName = '';
  try {
    for (let attempt = 0; attempt < RUNS; attempt++) {
      // Each path is paired with a dd run of the same bytes: the disk's speed drifts with whatever else
      // the machine does, so every ratio is taken within its pair. The pair's order alternates, and
      // files are deleted only after both ran (this disk discards deleted blocks, which slows whatever
      // writes next), each pair starting after a sync, so neither side is the one that always follows.
      for (const [position, kind] of paths.entries()) {
        const chunks = Array.from({ length: WRITE_CHUNKS }, () => randomBytes(MIB));
        const known = refs(chunks);
        const name = `${kind} ${attempt}`;
        const storeRun = async (): Promise<number> =>
          (await timeRuns(1, () => WRITE_PATHS[kind](store, name, chunks, known)))[0]!;
        const ddRun = async (): Promise<number> =>
          (
            await timeRuns(1, async () => {
              await run('dd', [
                'if=/dev/zero',
                `of=${ddFile}`,
                'bs=1M',
                `count=${WRITE_CHUNKS}`,
                'oflag=dsync',
              ]);
            })
          )[0]!;
        await run('sync', []);
        let storeMs: number;
        let ddMs: number;
        if ((attempt + position) % 2 === 0) {
          storeMs = await storeRun();
          ddMs = await ddRun();
        } else {
          ddMs = await ddRun();
          storeMs = await storeRun();
        }
        rmSync(ddFile, { force: true });
        samples.get(kind)!.push(storeMs);
        samples.get('dd')!.push(ddMs);
        ratios.get(kind)!.push(ddMs / storeMs);
        if (attempt === RUNS - 1 && kind === 'ingest') readName = name;
        else await store.deleteVideo(name);
      }
    }
    const megabytes = (WRITE_CHUNKS * MIB) / 1e6;
    const rate = (key: WritePath | 'dd'): number => megabytes / (median(samples.get(key)!) / 1000);
    const ratio = (key: WritePath): number => median(ratios.get(key)!);
    const readSamples = await timeRuns(RUNS, async () => {
      for (let index = 0; index < WRITE_CHUNKS; index++) await store.getChunk(readName, index);
    });
    const verifySamples = await timeRuns(RUNS, async () => {
      for (let index = 0; index < WRITE_CHUNKS; index++)
        await store.getChunk(readName, index, { verify: true });
    });
    // The first read of each chunk after an open hashes it (a node never serves bytes that fail
    // their hash); reads after that trust the result. Timed over fresh opens, the open itself not.
    store.close();
    const firstSamples: number[] = [];
    for (let attempt = 0; attempt < RUNS; attempt++) {
      const reopened = await ChunkStore.open(dir);
      try {
        firstSamples.push(
          ...(await timeRuns(1, async () => {
            for (let index = 0; index < WRITE_CHUNKS; index++) await reopened.getChunk(readName, index);
          })),
        );
      } finally {
        reopened.close();
      }
    }
    const gigabytes = (WRITE_CHUNKS * MIB) / 1e9;
    const readRate = gigabytes / (median(readSamples) / 1000);
    const verifyRate = gigabytes / (median(verifySamples) / 1000);
    const firstRate = gigabytes / (median(firstSamples) / 1000);
    const how = `median of ${RUNS} paired runs of ${WRITE_CHUNKS} chunks against dd oflag=dsync, order alternating (dd median ${rate('dd').toFixed(0)} MB/s)`;
    return [
      row(
        'store',
        'write 1 MiB chunks (fsync), ingest: group commit',
        ratio('ingest') * 100,
        '% of dd',
        '>= 70 % of dd',
        ratio('ingest') >= 0.7,
        `store ${rate('ingest').toFixed(0)} MB/s; VideoWriter, ${WRITE_CHUNKS} writeChunk calls in a row, the manifest from writtenRefs (as ingestVideo), then commit; ${how}`,
      ),
      row(
        'store',
        `write 1 MiB chunks (fsync), putChunk ${PUTS_IN_FLIGHT} in flight (fetch path)`,
        ratio('puts') * 100,
        '% of dd',
        'reference',
        true,
        `store ${rate('puts').toFixed(0)} MB/s; each put hashes, writes, fsyncs and renames its file, rows indexed in groups; the manifest known beforehand (from the network); ${how}`,
      ),
      row(
        'store',
        'write 1 MiB chunks (fsync), putChunk one at a time',
        ratio('serial') * 100,
        '% of dd',
        'reference',
        true,
        `store ${rate('serial').toFixed(0)} MB/s; each put awaited before the next: nothing to group; ${how}`,
      ),
      row(
        'store',
        'read 1 MiB chunks',
        readRate,
        'GB/s',
        '>= 1 GB/s',
        readRate >= 1,
        `reads of chunks already hashed since the store opened (size checked), page cache warm; the first read of each after an open, hashed: ${firstRate.toFixed(2)} GB/s (${(readRate / firstRate).toFixed(1)}x a later read's time, once per chunk per open); re-hashed on every read (verify): ${verifyRate.toFixed(2)} GB/s; median of ${RUNS}`,
      ),
    ];
  } finally {
    store.close();
  }
}

/**
 * Builds a store of 100k indexed chunks quickly: tiny blob files and rows inserted in bulk straight
 * into SQLite (through the public API every chunk would pay an fsync). The schema is the store's own,
 * written by a real open first.
 */
async function populate(dir: string): Promise<void> {
  (await ChunkStore.open(dir)).close();
  const db = new Database(path.join(dir, 'index.sqlite'));
  const insertVideo = db.prepare('INSERT INTO videos (name, manifest, pinned, added_at) VALUES (?, ?, 0, ?)');
  const insertChunk = db.prepare(
    'INSERT INTO chunks (video, idx, sha256, size, last_used, pin_count) VALUES (?, ?, ?, ?, ?, 0)',
  );
  let tick = 0;
  db.transaction(() => {
    for (let video = 0; video < INDEXED_CHUNKS / CHUNKS_PER_VIDEO; video++) {
      const name = `video ${video}`;
      const refs = Array.from({ length: CHUNKS_PER_VIDEO }, (_, index) => {
        const bytes = Buffer.from(`${name}/${index}`);
        const hash = sha256(bytes);
        writeFileSync(path.join(dir, 'blobs', hash.slice(0, 2), hash), bytes);
        return { size: bytes.length, sha256: hash };
      });
      insertVideo.run(name, JSON.stringify(legacyManifest(name, refs)), new Date().toISOString());
      for (const [index, ref] of refs.entries()) insertChunk.run(name, index, ref.sha256, ref.size, ++tick);
    }
  })();
  db.close();
}

async function bigStore(root: string): Promise<BenchRow[]> {
  const dir = path.join(root, 'big');
  mkdirSync(dir);
  await populate(dir);

  const openSamples: number[] = [];
  const reconcileSamples: number[] = [];
  let lookupRate = 0;
  let manifestRate = 0;
  for (let attempt = 0; attempt < 3; attempt++) {
    const started = performance.now();
    const store = await ChunkStore.open(dir);
    openSamples.push(performance.now() - started);
    reconcileSamples.push(store.reconcileReport.millis);
    if (store.heldChunks('video 1').length !== CHUNKS_PER_VIDEO)
      throw new Error('bench store was not populated');
    if (attempt === 0) {
      const lookups = 200_000;
      const [lookupMs] = await timeRuns(1, () => {
        for (let n = 0; n < lookups; n++) store.hasChunk(`video ${n % 100}`, (n * 7919) % CHUNKS_PER_VIDEO);
      });
      lookupRate = lookups / (lookupMs! / 1000);
      const [manifestMs] = await timeRuns(1, () => {
        for (let n = 0; n < lookups; n++) store.getManifest(`video ${n % 50}`);
      });
      manifestRate = lookups / (manifestMs! / 1000);
    }
    store.close();
  }
  const rss = await childRss(dir);
  const openMs = median(openSamples);
  return [
    row(
      'store',
      'index lookups (hasChunk)',
      lookupRate / 1000,
      'k/s',
      '>= 100 k/s',
      lookupRate >= 100_000,
      `getManifest ${(manifestRate / 1000).toFixed(0)} k/s (cached); ${INDEXED_CHUNKS} chunks indexed`,
    ),
    row(
      'store',
      'open + reconcile, 100k chunks',
      openMs / 1000,
      's',
      '< 2 s',
      openMs < 2000,
      `reconcile alone ${(median(reconcileSamples) / 1000).toFixed(2)} s; open includes quick_check; median of 3`,
    ),
    row(
      'store',
      'RSS, 100k chunks indexed',
      rss.store / MIB,
      'MiB',
      '< 100 MiB',
      rss.store < 100 * MIB,
      `child process after open + 100k lookups; bare node with the module loaded ${(rss.bare / MIB).toFixed(0)} MiB`,
    ),
  ];
}

/** RSS measured in a child so the figure is the store's own, not this benchmark's buffers. */
async function childRss(dir: string): Promise<{ store: number; bare: number }> {
  const moduleUrl = new URL('../core/store/chunk-store.js', import.meta.url).href;
  const script = `
    const { ChunkStore } = await import(${JSON.stringify(moduleUrl)});
    const bare = process.memoryUsage().rss;
    const store = await ChunkStore.open(${JSON.stringify(dir)});
    for (let n = 0; n < 100000; n++) store.hasChunk('video ' + (n % 100), n % 1000);
    store.heldChunks('video 3');
    store.listVideos();
    const rss = process.memoryUsage().rss;
    store.close();
    console.log(JSON.stringify({ store: rss, bare }));`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`RSS child failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as { store: number; bare: number };
}

export const suite: BenchSuite = {
  name: 'store',
  async run() {
    // Beside the OS temp dir's usual disk, not on a tmpfs, so fsync costs what it costs for real.
    const root = mkdtempSync(path.join(os.tmpdir(), 'peerstreamer-store-bench-'));
    try {
      return [...(await writesAndReads(root)), ...(await bigStore(root))];
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
};

// Lets `node dist/bench/store.bench.js` run this suite alone.
if (process.argv[1] === fileURLToPath(import.meta.url)) console.table(await suite.run());
