import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ChunkStore } from '../store/chunk-store.js';
import type { VideoWriter } from '../store/video-writer.js';
import { legacyManifest, type LegacyManifest } from '../shared/manifest.js';
import { MAX_MANIFEST_CHUNKS, checkManifest, describeManifestProblem } from '../shared/manifest-schema.js';
import { videoNameProblem } from '../shared/video-name.js';
import { PeerStreamerError, errorMessage } from '../util/errors.js';
import { sha256Hex } from '../util/hash.js';
import { loadOrCreatePublisherKey } from '../trust/key-file.js';
import { signManifest } from '../trust/manifest-signature.js';
import { assertLegacyChunk, databaseRoot, legacyChunkPath, readLegacyChunk } from './legacy-chunk-files.js';

/** The original system capped nothing; a video becomes a PeerStreamer manifest, bounded as any other. */
const MAX_LEGACY_CHUNKS = MAX_MANIFEST_CHUNKS;

export interface LegacyImportResult {
  imported: Array<{ name: string; chunks: number; bytes: number }>;
}

/**
 * Reads a video database in the original format — `<db>/manifest.json` mapping name to chunk count,
 * and chunk files at `<db>/<name>/<n>.chunk` — and stores each video as a byte-split legacy video.
 * Everything is checked before anything is committed, so a broken database imports nothing.
 */
export async function importLegacyDatabase(
  databaseDir: string,
  store: ChunkStore,
  options: {
    replace?: boolean;
    onVideo?: (name: string, chunks: number) => void;
    /** What checkLegacyDatabase found, when the caller checked before opening the store. */
    checked?: LegacyDatabase;
  } = {},
): Promise<LegacyImportResult> {
  const { counts } = options.checked ?? (await checkLegacyDatabase(databaseDir));
  // The source that imports a video publishes it: signed by the store's key like one it ingested.
  const key = await loadOrCreatePublisherKey(store.dir);
  // All writers are begun first, so a name already in the store is refused before anything is written.
  const writers: Array<{ name: string; count: number; writer: VideoWriter }> = [];
  try {
    for (const [name, count] of counts) {
      writers.push({ name, count, writer: store.beginVideo(name, { replace: options.replace ?? false }) });
    }
    const manifests: LegacyManifest[] = [];
    for (const { name, count, writer } of writers) {
      const chunks: Array<{ size: number; sha256: string }> = [];
      for (let index = 0; index < count; index++) {
        const bytes = await readLegacyChunk(legacyChunkPath(databaseDir, name, index), name, index);
        await writer.writeChunk(index, bytes);
        chunks.push({ size: bytes.length, sha256: sha256Hex(bytes) });
      }
      manifests.push(signManifest(checkedLegacyManifest(databaseDir, legacyManifest(name, chunks)), key));
    }
    // Every file is made durable first, so the commits are quick index transactions; only they could
    // leave part of a database imported.
    for (const { writer } of writers) await writer.flush();
    const imported: LegacyImportResult['imported'] = [];
    for (const [position, { name, count, writer }] of writers.entries()) {
      const manifest = manifests[position]!;
      await writer.commit(manifest, { pinned: true });
      imported.push({
        name,
        chunks: count,
        bytes: manifest.chunks.reduce((sum, chunk) => sum + chunk.size, 0),
      });
      options.onVideo?.(name, count);
    }
    return { imported };
  } catch (error) {
    for (const { writer } of writers) await writer.abort();
    throw error;
  }
}

/** The manifest schema's word on an imported video, before anything of the database is committed. */
function checkedLegacyManifest(databaseDir: string, manifest: LegacyManifest): LegacyManifest {
  const { problem } = checkManifest(manifest);
  if (problem === undefined) return manifest;
  throw new PeerStreamerError(
    'LEGACY_FORMAT',
    `${JSON.stringify(manifest.name)} in ${databaseDir} does not make a valid manifest: ${describeManifestProblem(problem)}. Fix that video in the database (or leave it out of manifest.json), then import again. Nothing was imported.`,
    { path: databaseDir, name: manifest.name, problem: problem.path },
  );
}

/** Video names and chunk counts of a legacy database, in manifest order. */
export interface LegacyDatabase {
  counts: Array<[string, number]>;
}

/**
 * Reads and checks the manifest and looks at every chunk file, without touching a store: the usual
 * faults (a bad manifest, a missing chunk) are found before anything is written, or even a store
 * directory created. Faults found later still abort every video of the database.
 */
export async function checkLegacyDatabase(databaseDir: string): Promise<LegacyDatabase> {
  const counts = await readLegacyManifest(databaseDir);
  const inside = await databaseRoot(databaseDir);
  for (const [name, count] of counts) {
    for (let index = 0; index < count; index++) await assertLegacyChunk(databaseDir, inside, name, index);
  }
  return { counts };
}

async function readLegacyManifest(databaseDir: string): Promise<Array<[string, number]>> {
  const manifestPath = path.join(databaseDir, 'manifest.json');
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PeerStreamerError(
      code === 'ENOENT' || code === 'ENOTDIR' ? 'INPUT_NOT_FOUND' : 'LEGACY_FORMAT',
      code === 'ENOENT'
        ? `${manifestPath} does not exist. Point import-legacy at the original video database directory (the one bin/split_video wrote).`
        : code === 'ENOTDIR'
          ? `${databaseDir} is not a directory. Point import-legacy at the original video database directory (the one holding manifest.json).`
          : `cannot read ${manifestPath} (${errorMessage(error)}); check its permissions, then import again.`,
      { path: manifestPath },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new PeerStreamerError(
      'LEGACY_FORMAT',
      `${manifestPath} is not valid JSON (${errorMessage(error)}). It should map each video name to its chunk count, e.g. {"movie": 42}.`,
      { path: manifestPath },
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new PeerStreamerError(
      'LEGACY_FORMAT',
      `${manifestPath} must be a JSON object mapping each video name to its chunk count, e.g. {"movie": 42}.`,
      { path: manifestPath },
    );
  }
  const entries: Array<[string, number]> = [];
  for (const [name, count] of Object.entries(parsed)) {
    const problem = videoNameProblem(name);
    if (problem !== null) {
      throw new PeerStreamerError(
        'LEGACY_FORMAT',
        `${manifestPath} names a video ${JSON.stringify(name)} that is not allowed: ${problem}. Rename it in the manifest and its directory, then import again.`,
        { path: manifestPath, name },
      );
    }
    if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0 || count > MAX_LEGACY_CHUNKS) {
      throw new PeerStreamerError(
        'LEGACY_FORMAT',
        `${manifestPath}: the chunk count of ${JSON.stringify(name)} is ${JSON.stringify(count)}; expected a whole number from 0 to ${MAX_LEGACY_CHUNKS}.`,
        { path: manifestPath, name },
      );
    }
    entries.push([name, count]);
  }
  return entries;
}
