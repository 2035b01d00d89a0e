import { createHash } from 'node:crypto';
import type { Manifest } from '../../core/shared/manifest.js';
import { ChunkStore } from '../../core/store/chunk-store.js';
import type { ChunkKey, StoreOptions } from '../../core/store/types.js';

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Deterministic bytes, different for every (seed, index). */
export function payload(seed: string, index: number, size: number): Buffer {
  const bytes = Buffer.alloc(size);
  let block = createHash('sha256').update(`${seed}/${index}`).digest();
  for (let offset = 0; offset < size; offset += block.length) {
    block.copy(bytes, offset);
    block = createHash('sha256').update(block).digest();
  }
  return bytes;
}

export interface TestVideo {
  manifest: Manifest;
  init: Buffer;
  chunks: Buffer[];
}

/** An fmp4 video whose chunk n is `chunkBytes(n)` (default: distinct bytes of `size`). */
export function makeVideo(
  name: string,
  count: number,
  size = 1000,
  chunkBytes: (index: number) => Buffer = (index) => payload(name, index, size),
): TestVideo {
  const init = payload(`${name}/init`, 0, 100);
  const chunks = Array.from({ length: count }, (_, index) => chunkBytes(index));
  return {
    init,
    chunks,
    manifest: {
      version: 1,
      kind: 'fmp4',
      name,
      mimeType: 'video/mp4; codecs="avc1.64001f"',
      duration: count * 2,
      width: 640,
      height: 360,
      init: { size: init.length, sha256: sha256(init) },
      ingest: { mode: 'remux', sourceCodecs: ['h264'] },
      createdAt: '2026-01-01T00:00:00.000Z',
      chunks: chunks.map((bytes, index) => ({
        index,
        start: index * 2,
        duration: 2,
        size: bytes.length,
        sha256: sha256(bytes),
      })),
    },
  };
}

/** A legacy byte-split video: no init segment. */
export function makeLegacyVideo(name: string, count: number, size = 1000): TestVideo {
  const video = makeVideo(name, count, size);
  return {
    ...video,
    manifest: {
      ...video.manifest,
      kind: 'legacy',
      mimeType: 'application/octet-stream',
      duration: null,
      width: null,
      height: null,
      init: null,
      chunks: video.manifest.chunks.map((chunk) => ({ ...chunk, start: null, duration: null })),
    },
  };
}

export async function ingest(
  store: ChunkStore,
  video: TestVideo,
  pinned = true,
  replace = false,
): Promise<void> {
  const writer = store.beginVideo(video.manifest.name, { replace });
  if (video.manifest.init !== null) await writer.writeInit(video.init);
  for (const [index, bytes] of video.chunks.entries()) await writer.writeChunk(index, bytes);
  await writer.commit(video.manifest, { pinned });
}

export async function openStore(dir: string, options?: StoreOptions): Promise<ChunkStore> {
  return ChunkStore.open(dir, options);
}

/** Records every event the store emits, as "added video/index" and "removed video/index". */
export function recordEvents(store: ChunkStore): string[] {
  const events: string[] = [];
  store.on('chunk-added', (key: ChunkKey) => events.push(`added ${key.video}/${key.index}`));
  store.on('chunk-removed', (key: ChunkKey) => events.push(`removed ${key.video}/${key.index}`));
  return events;
}

export async function expectCode(work: Promise<unknown> | (() => unknown), code: string): Promise<Error> {
  try {
    await (typeof work === 'function' ? work() : work);
  } catch (error) {
    const coded = error as Error & { code?: string };
    if (coded.code !== code) {
      throw new Error(`expected ${code}, got ${coded.code ?? 'no code'}: ${coded.message}`, { cause: error });
    }
    return coded;
  }
  throw new Error(`expected ${code}, but nothing was thrown`);
}
