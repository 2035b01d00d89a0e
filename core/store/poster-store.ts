import { promises as fs } from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import type { Manifest } from '../shared/manifest.js';
import { MAX_POSTER_BYTES, sniffPosterType, type PosterRef } from '../shared/poster.js';
import { assertVideoName } from '../util/video-name-check.js';
import { PeerStreamerError } from '../util/errors.js';
import { sha256HexAsync } from '../util/hash.js';
import type { Logger } from '../util/logger.js';
import { SHA256_HEX, TMP_DIR } from './blob-layout.js';
import { translateFileError } from './store-errors.js';
import { writeFileDurably } from './durable-file.js';

export const POSTERS_DIR = 'posters';

/** What the poster store needs from its ChunkStore: the open index, the manifests, and the lock. */
export interface PosterStoreHost {
  readonly dir: string;
  readonly db: Database.Database;
  readonly log: Logger;
  manifestOf(video: string): Manifest | undefined;
  assertOpen(): void;
  /** Runs index work, turning SQLite failures into coded store errors. */
  sql<T>(doing: string, work: () => T): T;
}

export interface StoredPoster {
  bytes: Buffer;
  ref: PosterRef;
}

/**
 * Poster frames beside the chunk store: `posters/<sha256>` files and a `posters` table saying which
 * video holds which. A poster is accepted only when it is exactly what the video's manifest names
 * (size, sha256, image type), and re-checked on every read (they are a few KB), so a damaged file is
 * dropped rather than served. Posters do not count toward the cache capacity and are never evicted:
 * they live as long as the video's manifest does. Apart from blobs/ so the chunk files' reconcile and
 * reference counting stay as they are.
 */
export class PosterStore {
  readonly postersDir: string;
  private readonly tmpDir: string;
  private readonly statements;
  private tempCounter = 0;

  constructor(private readonly host: PosterStoreHost) {
    this.postersDir = path.join(host.dir, POSTERS_DIR);
    this.tmpDir = path.join(host.dir, TMP_DIR);
    const prepare = (sql: string) => host.db.prepare(sql);
    this.statements = {
      get: prepare('SELECT sha256, size FROM posters WHERE video = ?'),
      upsert: prepare(
        `INSERT INTO posters (video, sha256, size) VALUES (?, ?, ?)
         ON CONFLICT (video) DO UPDATE SET sha256 = excluded.sha256, size = excluded.size`,
      ),
      dropSha: prepare('DELETE FROM posters WHERE sha256 = ?'),
      all: prepare('SELECT video, sha256, size FROM posters'),
      dropVideo: prepare('DELETE FROM posters WHERE video = ?'),
    };
  }

  pathOf(sha256: string): string {
    return path.join(this.postersDir, sha256);
  }

  /**
   * Makes rows and files agree, after the chunk store's own reconcile: rows whose file is missing or
   * has the wrong size are dropped (the poster can be fetched again), files no row names are deleted.
   * Returns how many of each.
   */
  async reconcile(): Promise<{ droppedRows: number; orphanFiles: number }> {
    await fs.mkdir(this.postersDir, { recursive: true }).catch((error: unknown) => {
      throw translateFileError(error, this.host.dir, this.postersDir, 'creating the posters directory');
    });
    const rows = this.statements.all.all() as Array<{ video: string; sha256: string; size: number }>;
    // One readdir, then a stat only of the files some row names, all at once: every store open
    // runs this, and a library of posters would otherwise cost a serial stat per file.
    const present = new Set(
      (await fs.readdir(this.postersDir, { withFileTypes: true }))
        .filter((entry) => entry.isFile() && SHA256_HEX.test(entry.name))
        .map((entry) => entry.name),
    );
    const named = [...new Set(rows.map((row) => row.sha256))].filter((sha256) => present.has(sha256));
    const sizes = new Map(
      await Promise.all(named.map(async (sha256) => [sha256, await this.sizeOf(sha256)] as const)),
    );
    const bad = new Set(rows.filter((row) => sizes.get(row.sha256) !== row.size));
    this.host.sql('dropping posters whose file is gone', () => {
      for (const row of bad) this.statements.dropVideo.run(row.video);
    });
    const kept = new Set(rows.filter((row) => !bad.has(row)).map((row) => row.sha256));
    const orphans = [...present].filter((sha256) => !kept.has(sha256));
    await Promise.all(orphans.map((sha256) => fs.rm(this.pathOf(sha256), { force: true })));
    return { droppedRows: bad.size, orphanFiles: orphans.length };
  }

  /** A poster file's size, or undefined when it went between the readdir and now. */
  private async sizeOf(sha256: string): Promise<number | undefined> {
    try {
      return (await fs.stat(this.pathOf(sha256))).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw translateFileError(error, this.host.dir, this.pathOf(sha256), 'checking a poster file');
    }
  }

  /** The poster the video's manifest names, or undefined when it has none. */
  expected(video: string): PosterRef | undefined {
    const manifest = this.host.manifestOf(video);
    return manifest?.kind === 'fmp4' ? manifest.poster : undefined;
  }

  has(video: string): boolean {
    this.host.assertOpen();
    assertVideoName(video);
    const row = this.row(video);
    return row !== undefined && row.sha256 === this.expected(video)?.sha256;
  }

  /**
   * Keeps `bytes` as the poster of `video`. Throws VIDEO_NOT_FOUND without a manifest, CHUNK_NOT_FOUND
   * when the manifest names no poster, and INVALID_CHECKSUM (nothing stored) when the bytes are not
   * the poster it names.
   */
  async put(video: string, bytes: Uint8Array): Promise<void> {
    this.host.assertOpen();
    assertVideoName(video);
    const ref = this.requireRef(video);
    await this.check(video, ref, bytes);
    await this.writeFile(ref.sha256, bytes);
    this.host.assertOpen();
    // The video may have been replaced while the file was written; then this poster is not its own.
    if (this.expected(video)?.sha256 !== ref.sha256) {
      throw new PeerStreamerError(
        'VIDEO_NOT_FOUND',
        `${JSON.stringify(video)} was deleted or replaced in ${this.host.dir} while its poster was being stored; the poster was not kept.`,
        { video },
      );
    }
    this.host.sql('indexing a poster', () => this.statements.upsert.run(video, ref.sha256, ref.size));
  }

  /**
   * The held poster of `video`, checked against its manifest, or undefined when it is not held. A
   * damaged file (wrong size, hash or image type) is dropped with a warning and undefined returned,
   * so it can be fetched again.
   */
  async get(video: string): Promise<StoredPoster | undefined> {
    this.host.assertOpen();
    assertVideoName(video);
    const ref = this.expected(video);
    const row = this.row(video);
    if (ref === undefined || row === undefined || row.sha256 !== ref.sha256) return undefined;
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(this.pathOf(ref.sha256));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      return this.drop(video, ref, 'missing');
    }
    if (bytes.length !== ref.size) return this.drop(video, ref, `${bytes.length} bytes, not ${ref.size}`);
    if ((await sha256HexAsync(bytes)) !== ref.sha256) return this.drop(video, ref, 'of the wrong sha256');
    if (sniffPosterType(bytes) !== ref.mimeType) return this.drop(video, ref, `not a ${ref.mimeType} image`);
    return { bytes, ref };
  }

  private row(video: string): { sha256: string; size: number } | undefined {
    return this.statements.get.get(video) as { sha256: string; size: number } | undefined;
  }

  private requireRef(video: string): PosterRef {
    const manifest = this.host.manifestOf(video);
    if (manifest === undefined) {
      throw new PeerStreamerError(
        'VIDEO_NOT_FOUND',
        `${JSON.stringify(video)} is not in the store ${this.host.dir}; record its manifest before its poster.`,
        { video },
      );
    }
    const ref = manifest.kind === 'fmp4' ? manifest.poster : undefined;
    if (ref === undefined) {
      throw new PeerStreamerError(
        'CHUNK_NOT_FOUND',
        `The manifest of ${JSON.stringify(video)} names no poster, so none can be stored for it.`,
        { video },
      );
    }
    return ref;
  }

  private async check(video: string, ref: PosterRef, bytes: Uint8Array): Promise<void> {
    const sha256 = bytes.length <= MAX_POSTER_BYTES ? await sha256HexAsync(bytes) : '(not hashed)';
    const type = sniffPosterType(bytes);
    if (bytes.length === ref.size && sha256 === ref.sha256 && type === ref.mimeType) return;
    throw new PeerStreamerError(
      'INVALID_CHECKSUM',
      `The poster of ${JSON.stringify(video)} has ${bytes.length} bytes (${type ?? 'not an image'}) with sha256 ${sha256}, but the manifest names a ${ref.mimeType} of ${ref.size} bytes with sha256 ${ref.sha256}. Nothing was stored; fetch it again from another peer.`,
      { video, expected: ref.sha256, actual: sha256, expectedSize: ref.size, actualSize: bytes.length },
    );
  }

  /** A poster file is either absent or complete (see writeFileDurably). */
  private async writeFile(sha256: string, bytes: Uint8Array): Promise<void> {
    const temp = path.join(this.tmpDir, `poster.${process.pid}.${this.tempCounter++}.tmp`);
    await writeFileDurably(temp, this.pathOf(sha256), bytes).catch((error: unknown) => {
      throw translateFileError(error, this.host.dir, this.pathOf(sha256), 'writing a poster file');
    });
  }

  private async drop(video: string, ref: PosterRef, why: string): Promise<undefined> {
    this.host.log.warn(
      { dir: this.host.dir, video, sha256: ref.sha256 },
      `poster file was ${why}; dropped from the index`,
    );
    // Every video naming the same image shares the one bad file.
    this.host.sql('dropping a damaged poster', () => this.statements.dropSha.run(ref.sha256));
    await fs.rm(this.pathOf(ref.sha256), { force: true });
    return undefined;
  }
}
