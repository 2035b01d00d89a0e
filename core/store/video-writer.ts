import type { Manifest, SegmentRef } from '../shared/manifest.js';
import { PeerStreamerError } from '../util/errors.js';
import type { BlobFiles } from './blob-files.js';
import { assertStorableManifest } from './manifest-check.js';
import { INIT_INDEX, type CommitOptions } from './types.js';
import { describeSegment } from '../shared/segments.js';

/** What a writer needs from its store; implemented by ChunkStore so the writer cannot reach further. */
export interface VideoWriterHost {
  readonly dir: string;
  readonly blobs: BlobFiles;
  assertOpen(): void;
  commitVideo(manifest: Manifest, pinned: boolean, replace: boolean): void;
  writerFinished(name: string): void;
  reportBackgroundError(doing: string, error: unknown): void;
}

type WriterState = 'open' | 'committed' | 'aborted';

/**
 * Writes kept going at once. Each is a temp file written, fsynced and renamed in the thread pool; many
 * together let the file system fold their journal commits into a few and keep the disk busy while
 * the caller produces the next chunk (16 measured ahead of 4 and 8 against dd, though within this
 * disk's noise). Bounded in count and bytes, because each holds its chunk's bytes until done.
 */
const WRITES_IN_FLIGHT = 16;
const BYTES_IN_FLIGHT = 32 * 1024 * 1024;

/**
 * Ingest of one whole video, committed as one group: payload files are written several at a time
 * (each writeChunk returns once its write is under way, waiting only while too many are),
 * and commit() waits for them all, fsyncs the directories they were renamed into once, and makes the
 * video visible in one transaction with all its chunk rows. Until then nothing in the index refers
 * to the new files, so an abort() or a crash leaves no partial video behind (reconcile removes the
 * files). A write that fails is reported by the next writeChunk, flush or commit.
 */
export class VideoWriter {
  private state: WriterState = 'open';
  private readonly written = new Map<number, SegmentRef>();
  /** One hold per successful write, released at commit or abort, so eviction cannot delete them. */
  private readonly holds: string[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  /** The call order of the latest write of each index, so a rewrite wins even if it finishes first. */
  private readonly writeOrder = new Map<number, number>();
  private writes = 0;
  /** Hashes written since the last flush: their directories still need an fsync. */
  private unsynced: string[] = [];
  private failure: unknown = undefined;
  private bytesInFlight = 0;

  constructor(
    private readonly host: VideoWriterHost,
    readonly name: string,
    private readonly replace: boolean,
  ) {}

  writeInit(bytes: Uint8Array): Promise<void> {
    return this.write(INIT_INDEX, bytes);
  }

  writeChunk(index: number, bytes: Uint8Array): Promise<void> {
    if (!Number.isSafeInteger(index) || index < 0) {
      throw new PeerStreamerError(
        'INVALID_ARGUMENT',
        `Chunk index ${String(index)} for ${JSON.stringify(this.name)} is not a non-negative integer; chunks are numbered from 0.`,
        { video: this.name, index },
      );
    }
    return this.write(index, bytes);
  }

  /**
   * Waits for every write so far and makes them durable (files and their renames), without
   * publishing anything. commit() does this itself; a caller committing several videos together
   * flushes them all first, so the commits that follow are quick index transactions.
   */
  async flush(): Promise<void> {
    this.assertWritable('flush');
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
    this.throwFailure();
    const hashes = this.unsynced;
    this.unsynced = [];
    await this.host.blobs.syncDirsOf(hashes);
  }

  /**
   * The size and sha256 of each piece written, by index (INIT_INDEX for the init segment), once every
   * write so far is done and durable (a flush). The store hashes every piece it writes, so a caller
   * building the manifest takes the hashes from here instead of hashing the bytes a second time.
   */
  async writtenRefs(): Promise<ReadonlyMap<number, SegmentRef>> {
    await this.flush();
    return new Map(this.written);
  }

  /**
   * Flushes, checks that the manifest describes exactly what was written (sizes and hashes), then
   * publishes the video atomically, replacing an older one of the same name when the writer was
   * begun with replace. On a mismatch or a failed write it throws and stays open, so the caller can
   * still abort().
   */
  async commit(manifest: Manifest, options: CommitOptions = {}): Promise<void> {
    await this.flush();
    this.assertWritable('commit');
    if (this.inFlight.size > 0) {
      throw new PeerStreamerError(
        'INVALID_ARGUMENT',
        `commit of ${JSON.stringify(this.name)} was called while ${this.inFlight.size} write(s) were still being started; await every writeChunk/writeInit first.`,
        { video: this.name },
      );
    }
    assertStorableManifest(manifest);
    if (manifest.name !== this.name) {
      throw new PeerStreamerError(
        'INVALID_ARGUMENT',
        `The manifest is for ${JSON.stringify(manifest.name)} but this writer ingests ${JSON.stringify(this.name)}; commit the manifest of the video that was written.`,
        { video: this.name, manifestName: manifest.name },
      );
    }
    this.assertMatches(manifest);
    this.host.commitVideo(manifest, options.pinned ?? true, this.replace);
    this.finish('committed');
  }

  /** Deletes the files this writer wrote that nothing else references. Safe to call more than once. */
  async abort(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'aborted';
    await Promise.allSettled([...this.inFlight]);
    await this.finish('aborted');
  }

  private async write(index: number, bytes: Uint8Array): Promise<void> {
    this.assertWritable(index === INIT_INDEX ? 'writeInit' : 'writeChunk');
    this.throwFailure();
    const order = ++this.writes;
    this.writeOrder.set(index, order);
    const work = this.host.blobs.store(bytes).then(
      ({ sha256 }) => this.recordWrite(index, order, { size: bytes.length, sha256 }),
      (error: unknown) => {
        this.failure ??= error;
      },
    );
    this.inFlight.add(work);
    this.bytesInFlight += bytes.length;
    void work.finally(() => {
      this.inFlight.delete(work);
      this.bytesInFlight -= bytes.length;
    });
    while (
      this.inFlight.size >= WRITES_IN_FLIGHT ||
      (this.bytesInFlight >= BYTES_IN_FLIGHT && this.inFlight.size > 0)
    )
      await Promise.race(this.inFlight);
    this.throwFailure();
  }

  /** A write finished: its file is renamed into place and held for this writer. */
  private async recordWrite(index: number, order: number, ref: SegmentRef): Promise<void> {
    if (this.state !== 'open') {
      // Aborted while this write ran: abort() has already cleaned up, so this file is given up here.
      this.host.blobs.release(ref.sha256);
      await this.host.blobs.deleteUnreferenced([ref.sha256]);
      return;
    }
    this.holds.push(ref.sha256);
    this.unsynced.push(ref.sha256);
    if (this.writeOrder.get(index) === order) this.written.set(index, ref);
  }

  private throwFailure(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  private assertMatches(manifest: Manifest): void {
    const expected = new Map<number, SegmentRef>(manifest.chunks.map((chunk) => [chunk.index, chunk]));
    if (manifest.init !== null) expected.set(INIT_INDEX, manifest.init);
    for (const [index, ref] of expected) {
      const got = this.written.get(index);
      const what = describeSegment(index);
      if (got === undefined) {
        throw new PeerStreamerError(
          'CHUNK_NOT_FOUND',
          `The manifest of ${JSON.stringify(this.name)} lists ${what}, but it was never written; write every chunk the manifest lists before commit.`,
          { video: this.name, index },
        );
      }
      if (got.size !== ref.size || got.sha256 !== ref.sha256) {
        throw new PeerStreamerError(
          'INVALID_CHECKSUM',
          `${what} of ${JSON.stringify(this.name)} was written with ${got.size} bytes, sha256 ${got.sha256}, but the manifest expects ${ref.size} bytes, sha256 ${ref.sha256}; the manifest does not describe the bytes written. Rebuild the manifest from the written chunks.`,
          {
            video: this.name,
            index,
            expected: ref.sha256,
            actual: got.sha256,
            expectedSize: ref.size,
            actualSize: got.size,
          },
        );
      }
    }
    for (const index of this.written.keys()) {
      if (!expected.has(index)) {
        throw new PeerStreamerError(
          'INVALID_ARGUMENT',
          `${index === INIT_INDEX ? 'An init segment' : `Chunk ${index}`} of ${JSON.stringify(this.name)} was written but the manifest does not list it; the manifest must describe every chunk written.`,
          { video: this.name, index },
        );
      }
    }
  }

  private assertWritable(action: string): void {
    if (this.state !== 'open') {
      throw new PeerStreamerError(
        'INVALID_ARGUMENT',
        `${action} on the writer of ${JSON.stringify(this.name)} after it was ${this.state}; begin a new video with beginVideo.`,
        { video: this.name, state: this.state },
      );
    }
    this.host.assertOpen();
  }

  private finish(state: WriterState): Promise<void> {
    this.state = state;
    this.host.writerFinished(this.name);
    for (const sha256 of this.holds) this.host.blobs.release(sha256);
    const deletion = this.host.blobs.deleteUnreferenced(this.holds);
    deletion.catch((error: unknown) => this.host.reportBackgroundError('deleting unused chunk files', error));
    return deletion;
  }
}
