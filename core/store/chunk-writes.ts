import type { Manifest, SegmentRef } from '../shared/manifest.js';
import { chunkEntry, describeSegment, endIndex, firstIndex } from '../shared/segments.js';
import { PeerStreamerError } from '../util/errors.js';
import { sha256HexAsync } from '../util/hash.js';
import { assertVideoName } from '../util/video-name-check.js';
import type { ChunkRow } from './chunk-index.js';
import { GroupCommit, type Outcome } from './group-commit.js';
import type { ManifestCache } from './manifest-cache.js';
import { assertStorableManifest, liveGrowth, samePayloads, sameSignature } from './manifest-check.js';
import { runSql, type StoreContext } from './store-context.js';
import { videoExistsError, videoNotFoundError } from './store-errors.js';
import type { StoreSpace } from './store-space.js';
import { INIT_INDEX } from './types.js';
import { VideoWriter } from './video-writer.js';

/** A put whose file is written and waits for its index row. */
interface PendingPut {
  video: string;
  idx: number;
  expected: SegmentRef;
  /** "chunk 3" or "the init segment", for messages. */
  what: string;
  /** A live stream's next manifest, which names this chunk: recorded in the chunk's transaction. */
  growth?: Manifest;
}

interface PutResult {
  /** Bytes the store grew by (less when the row replaced one). */
  grown: number;
  evicted: ChunkRow[];
}

/**
 * Everything that adds to a ChunkStore, in its two ways: a caching node records a manifest and then
 * puts verified chunks one at a time (file first, then its row, with concurrent puts indexed in one
 * transaction); an ingest writes a whole video's files (VideoWriter) and commits all its rows in one
 * transaction. Both make room for what they add through the store's space, and both leave nothing
 * in the index that refers to a file before it is complete. The store has checked it is open.
 */
export class ChunkWrites {
  private readonly indexBatch = new GroupCommit<PendingPut, PutResult>((puts) => this.indexPuts(puts));
  /** Videos being ingested, so two ingests of one name cannot race. */
  private readonly writers = new Set<string>();

  constructor(
    private readonly store: StoreContext,
    private readonly space: StoreSpace,
    private readonly manifests: ManifestCache,
  ) {}

  /** Starts ingesting a whole video; VIDEO_EXISTS now (not at commit) when it exists and !replace. */
  beginVideo(name: string, replace: boolean): VideoWriter {
    const { dir, index } = this.store;
    assertVideoName(name);
    if (this.writers.has(name)) {
      throw new PeerStreamerError(
        'VIDEO_EXISTS',
        `An ingest of ${JSON.stringify(name)} into ${dir} is already in progress; wait for it to finish or abort it.`,
        { video: name, dir },
      );
    }
    if (!replace && index.video(name) !== undefined) throw videoExistsError(dir, name);
    this.writers.add(name);
    const host = {
      dir,
      blobs: this.store.blobFiles,
      assertOpen: () => this.store.assertOpen(),
      commitVideo: (manifest: Manifest, pinned: boolean, replaceIt: boolean) =>
        this.commitVideo(manifest, pinned, replaceIt),
      writerFinished: (finished: string) => this.writers.delete(finished),
      reportBackgroundError: (doing: string, error: unknown) =>
        this.store.reportBackgroundError(doing, error),
    };
    return new VideoWriter(host, name, replace);
  }

  /**
   * Records a video whose chunks will arrive one by one (see ChunkStore.putManifest): the same
   * manifest again is a no-op (or, signed differently, replaces the manifest and keeps the chunks),
   * another one replaces an unpinned video and is refused for a pinned one.
   */
  recordManifest(manifest: Manifest): void {
    const { dir, index } = this.store;
    assertStorableManifest(manifest);
    const name = manifest.name;
    const existing = this.manifests.get(name);
    if (existing !== undefined && samePayloads(existing, manifest)) {
      // The same bytes, signed (or signed again): the chunks stay, the manifest takes the signature.
      if (sameSignature(existing, manifest)) return;
      runSql(dir, 'recording a signed manifest', () =>
        index.setVideoManifest(name, JSON.stringify(manifest)),
      );
      this.manifests.forget(name);
      return;
    }
    // A live stream's next manifest: kept in place (pinned or not), with its chunks; only those the
    // DVR window dropped go. Ingest's whole-video commits and the checks below are not involved.
    if (existing !== undefined && liveGrowth(existing, manifest) !== null) {
      const removed = runSql(dir, 'recording a live manifest', () =>
        index.transaction(() => this.recordGrowth(manifest)),
      );
      void this.space.afterRemoval(removed);
      return;
    }
    if (existing !== undefined && index.videoPinned(name) === true) {
      throw new PeerStreamerError(
        'VIDEO_EXISTS',
        `${JSON.stringify(name)} is pinned in ${dir} (a video this node ingested or pinned) with a different manifest; it is not replaced by another one. Delete it first if the new version should win.`,
        { video: name, dir },
      );
    }
    const removed = runSql(dir, 'recording a manifest', () =>
      index.transaction(() => {
        const rows = index.deleteChunksOfVideo(name);
        index.deleteVideo(name);
        index.insertVideo(name, JSON.stringify(manifest), false, new Date().toISOString());
        return rows;
      }),
    );
    this.manifests.forget(name);
    void this.space.afterRemoval(removed);
  }

  async putChunk(video: string, index: number, bytes: Uint8Array): Promise<void> {
    const manifest = this.requireManifest(video);
    // By index, not position: a live stream's list starts where its window has moved to.
    const entry = Number.isSafeInteger(index) && index >= 0 ? chunkEntry(manifest, index) : undefined;
    if (entry === undefined) {
      throw new PeerStreamerError(
        'INVALID_ARGUMENT',
        `Chunk index ${String(index)} is outside ${JSON.stringify(video)}, which has chunks ${firstIndex(manifest.chunks)}..${endIndex(manifest.chunks) - 1}.`,
        { video, index },
      );
    }
    await this.putPayload(video, index, entry, bytes);
  }

  /**
   * A live stream's next manifest together with the chunk it adds: the chunk's file is written
   * first, then the manifest and the chunk's row in one transaction, so no reader ever sees the
   * manifest name a chunk the store does not hold yet. `manifest` must grow the stored one.
   */
  async putLiveChunk(manifest: Manifest, index: number, bytes: Uint8Array): Promise<void> {
    assertStorableManifest(manifest);
    const video = manifest.name;
    const existing = this.requireManifest(video);
    if (liveGrowth(existing, manifest) === null) throw notGrowth(this.store.dir, video);
    const entry = Number.isSafeInteger(index) && index >= 0 ? chunkEntry(manifest, index) : undefined;
    if (entry === undefined) {
      throw new PeerStreamerError(
        'INVALID_ARGUMENT',
        `Chunk index ${String(index)} is not in the new manifest of ${JSON.stringify(video)}.`,
        { video, index },
      );
    }
    await this.putPayload(video, index, entry, bytes, manifest);
  }

  async putInit(video: string, bytes: Uint8Array): Promise<void> {
    const manifest = this.requireManifest(video);
    if (manifest.init === null) {
      throw new PeerStreamerError(
        'INVALID_ARGUMENT',
        `${JSON.stringify(video)} is a legacy byte-split video and has no init segment to store.`,
        { video },
      );
    }
    await this.putPayload(video, INIT_INDEX, manifest.init, bytes);
  }

  /** Stores `bytes` as payload `idx` of `video` if they are what the manifest expects, then indexes them. */
  private async putPayload(
    video: string,
    idx: number,
    expected: SegmentRef,
    bytes: Uint8Array,
    growth?: Manifest,
  ): Promise<void> {
    const { blobFiles } = this.store;
    const what = describeSegment(idx);
    const mismatch = (actual: string): PeerStreamerError =>
      new PeerStreamerError(
        'INVALID_CHECKSUM',
        `${what} of ${JSON.stringify(video)} has ${bytes.length} bytes with sha256 ${actual}, but the manifest expects ${expected.size} bytes with sha256 ${expected.sha256}. Nothing was stored; fetch it again from another peer.`,
        {
          video,
          index: idx,
          expected: expected.sha256,
          actual,
          expectedSize: expected.size,
          actualSize: bytes.length,
        },
      );
    if (bytes.length !== expected.size) throw mismatch(await sha256HexAsync(bytes));
    const stored = await blobFiles.store(bytes, expected.sha256);
    if (!stored.matches) throw mismatch(stored.sha256);
    let indexed = false;
    try {
      const result = await this.indexBatch.enqueue({
        video,
        idx,
        expected,
        what,
        ...(growth !== undefined ? { growth } : {}),
      });
      indexed = true;
      this.space.bytesHeld += result.grown;
      this.store.emit('chunk-added', { video, index: idx });
      await this.space.afterRemoval(result.evicted);
    } finally {
      blobFiles.release(expected.sha256);
      if (!indexed) await blobFiles.deleteUnreferenced([expected.sha256]);
    }
  }

  /** Makes an ingested video visible with all its rows at once (its files are already durable). */
  private commitVideo(manifest: Manifest, pinned: boolean, replace: boolean): void {
    this.store.assertOpen();
    const { dir, index, usage } = this.store;
    const space = this.space;
    const name = manifest.name;
    if (!replace && index.video(name) !== undefined) throw videoExistsError(dir, name);
    const payloads: ChunkRow[] = manifest.chunks.map((chunk) => ({
      video: name,
      idx: chunk.index,
      sha256: chunk.sha256,
      size: chunk.size,
    }));
    if (manifest.init !== null) payloads.unshift({ video: name, idx: INIT_INDEX, ...manifest.init });
    const added = payloads.reduce((sum, row) => sum + row.size, 0);
    const { removed, evicted } = runSql(dir, 'committing a video', () =>
      index.transaction(() => {
        const removed = index.deleteChunksOfVideo(name);
        index.deleteVideo(name);
        index.insertVideo(name, JSON.stringify(manifest), pinned, new Date().toISOString());
        for (const row of payloads) {
          index.upsertChunk(row, usage.next(), space.pins.count(name, row.idx));
          usage.forget(name, row.idx);
        }
        const freed = removed.reduce((sum, row) => sum + row.size, 0);
        // Eviction must see the total without the replaced rows; afterRemoval settles them for good.
        space.bytesHeld -= freed;
        try {
          return { removed, evicted: space.evict(space.overCapacity(added), undefined) };
        } finally {
          space.bytesHeld += freed;
        }
      }),
    );
    space.bytesHeld += added;
    this.manifests.forget(name);
    void space.afterRemoval([...removed, ...evicted]);
    for (const row of payloads) this.store.emit('chunk-added', { video: name, index: row.idx });
  }

  /**
   * Indexes chunk files written by concurrent puts in one transaction (see GroupCommit). Each row is
   * upserted and makes room for itself in turn, exactly as separate puts would, so eviction never
   * takes the chunk just put.
   */
  private indexPuts(puts: PendingPut[]): Array<Outcome<PutResult>> {
    this.store.assertOpen();
    const { dir, index, usage } = this.store;
    const space = this.space;
    // Bytes this batch added so far, net of what it evicted; bytesHeld learns them as each put settles.
    let batchBytes = 0;
    return runSql(dir, 'indexing chunks', () =>
      index.transaction(() =>
        puts.map(({ video, idx, expected, what, growth }): Outcome<PutResult> => {
          // The live manifest that names this chunk, in the same transaction as its row.
          let dropped: ChunkRow[] = [];
          if (growth !== undefined) {
            const stored = this.manifests.get(video);
            if (stored === undefined || liveGrowth(stored, growth) === null)
              return { ok: false, error: notGrowth(dir, video) };
            dropped = this.recordGrowth(growth);
            batchBytes -= dropped.reduce((sum, gone) => sum + gone.size, 0);
          }
          // The video may have been deleted or replaced while the file was being written.
          const now = this.manifests.get(video);
          const ref = now === undefined ? undefined : idx === INIT_INDEX ? now.init : chunkEntry(now, idx);
          if (ref?.sha256 !== expected.sha256 || ref.size !== expected.size) {
            const error = new PeerStreamerError(
              'VIDEO_NOT_FOUND',
              `${JSON.stringify(video)} was deleted or replaced in ${dir} while its ${what} was being stored; the chunk was not kept.`,
              { video, index: idx },
            );
            return { ok: false, error };
          }
          const row: ChunkRow = { video, idx, sha256: expected.sha256, size: expected.size };
          const pins = space.pins.count(video, idx);
          const replacedSize = index.upsertChunk(row, usage.next(), pins);
          usage.forget(video, idx);
          const grown = expected.size - replacedSize;
          const evicted = space.evict(space.overCapacity(batchBytes + grown), { video, idx });
          batchBytes += grown - evicted.reduce((sum, gone) => sum + gone.size, 0);
          return { ok: true, value: { grown, evicted: [...dropped, ...evicted] } };
        }),
      ),
    );
  }

  /** Records a live manifest over the one it grows (in the caller's transaction); returns the dropped rows. */
  private recordGrowth(manifest: Manifest): ChunkRow[] {
    const { index } = this.store;
    const name = manifest.name;
    const dropped = liveGrowth(this.manifests.get(name)!, manifest)!;
    index.setVideoManifest(name, JSON.stringify(manifest));
    this.manifests.forget(name);
    return dropped.flatMap((idx) => index.deleteChunk(name, idx));
  }

  private requireManifest(video: string): Manifest {
    assertVideoName(video);
    const manifest = this.manifests.get(video);
    if (manifest === undefined) throw videoNotFoundError(this.store.dir, video);
    return manifest;
  }
}

function notGrowth(dir: string, video: string): PeerStreamerError {
  return new PeerStreamerError(
    'VIDEO_EXISTS',
    `The manifest given for ${JSON.stringify(video)} in ${dir} does not grow the stored live stream (another stream, publisher or init segment, or a changed chunk); nothing was stored.`,
    { video, dir },
  );
}
