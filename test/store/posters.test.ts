/**
 * Posters in a real store on disk: kept only when they are what the manifest names, re-checked on
 * every read, reconciled on open, gone with their video, and an older store upgraded in place.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makePoster } from '../../core/media/poster.js';
import { probeMedia } from '../../core/media/probe.js';
import type { MediaManifest } from '../../core/shared/manifest.js';
import { MAX_POSTER_BYTES } from '../../core/shared/poster.js';
import { ChunkStore } from '../../core/store/chunk-store.js';
import { INDEX_FILE } from '../../core/store/open-index.js';
import { h264Aac720p } from '../helpers/media-fixtures.js';
import { makeLegacyVideo, makeVideo, sha256 } from './helpers.js';
import { lacks, requires } from '../helpers/requirements.js';
import { cleanupTempDirs, tempDir } from '../helpers/temp-dirs.js';

const noFfmpeg = lacks(requires.ffmpeg);

let image: Buffer;

beforeAll(async () => {
  const { path: file } = await h264Aac720p(4);
  image = (await makePoster(file, await probeMedia(file), 4)).bytes;
});
afterEach(() => cleanupTempDirs());

function withPoster(name: string, bytes: Buffer = image): MediaManifest {
  const manifest = makeVideo(name, 2).manifest as MediaManifest;
  return { ...manifest, poster: { size: bytes.length, sha256: sha256(bytes), mimeType: 'image/webp' } };
}

async function openWith(dir: string, ...manifests: MediaManifest[]): Promise<ChunkStore> {
  const store = await ChunkStore.open(dir);
  for (const manifest of manifests) store.putManifest(manifest);
  return store;
}

describe.skipIf(noFfmpeg)('keeping a poster', () => {
  it('stores the poster a manifest names, serves it back, and keeps it across a restart', async () => {
    const dir = tempDir();
    const store = await openWith(dir, withPoster('talk'));
    expect(await store.posters.get('talk')).toBeUndefined();
    await store.posters.put('talk', image);
    expect(store.posters.has('talk')).toBe(true);
    const got = await store.posters.get('talk');
    expect(Buffer.compare(got!.bytes, image)).toBe(0);
    expect(got!.ref.mimeType).toBe('image/webp');
    store.close();

    const reopened = await ChunkStore.open(dir);
    expect(Buffer.compare((await reopened.posters.get('talk'))!.bytes, image)).toBe(0);
    // Posters are not chunks: capacity and chunk counts do not see them.
    expect(reopened.stats()).toMatchObject({ chunks: 0, bytes: 0 });
    reopened.close();
  });

  it.each([
    ['another image', () => Buffer.concat([image.subarray(0, -1), Buffer.from([image.at(-1)! ^ 1])])],
    ['a truncated image', () => image.subarray(0, image.length - 10)],
    ['bytes that are not an image', () => Buffer.alloc(image.length, 7)],
    ['something far too big', () => Buffer.alloc(MAX_POSTER_BYTES * 4, 1)],
  ])('refuses %s (INVALID_CHECKSUM) and stores nothing', async (_, bytes) => {
    const dir = tempDir();
    const store = await openWith(dir, withPoster('talk'));
    await expect(store.posters.put('talk', bytes())).rejects.toMatchObject({ code: 'INVALID_CHECKSUM' });
    expect(store.posters.has('talk')).toBe(false);
    expect(existsSync(store.posters.pathOf(sha256(image)))).toBe(false);
    store.close();
  });

  it('refuses a poster for a video it does not know, or whose manifest names none', async () => {
    const store = await openWith(tempDir(), makeVideo('plain', 1).manifest as MediaManifest);
    store.putManifest(makeLegacyVideo('old', 1).manifest);
    await expect(store.posters.put('nobody', image)).rejects.toMatchObject({ code: 'VIDEO_NOT_FOUND' });
    await expect(store.posters.put('plain', image)).rejects.toMatchObject({ code: 'CHUNK_NOT_FOUND' });
    await expect(store.posters.put('old', image)).rejects.toMatchObject({ code: 'CHUNK_NOT_FOUND' });
    await expect(store.posters.put('../escape', image)).rejects.toMatchObject({ code: 'INVALID_NAME' });
    expect(await store.posters.get('plain')).toBeUndefined();
    store.close();
  });
});

describe.skipIf(noFfmpeg)('a poster file damaged on disk', () => {
  it.each([
    ['a flipped byte', (bytes: Buffer) => Buffer.from(bytes.map((b, i) => (i === 40 ? b ^ 0xff : b)))],
    ['a truncated file', (bytes: Buffer) => bytes.subarray(0, bytes.length - 1)],
    ['an empty file', () => Buffer.alloc(0)],
  ])('%s is not served: it is dropped, and can be stored again', async (_, damage) => {
    const store = await openWith(tempDir(), withPoster('talk'));
    await store.posters.put('talk', image);
    const file = store.posters.pathOf(sha256(image));
    writeFileSync(file, damage(readFileSync(file)));
    expect(await store.posters.get('talk')).toBeUndefined();
    expect(store.posters.has('talk')).toBe(false);
    expect(existsSync(file)).toBe(false);
    await store.posters.put('talk', image);
    expect(Buffer.compare((await store.posters.get('talk'))!.bytes, image)).toBe(0);
    store.close();
  });

  it('a missing file is noticed on open, and a file nothing names is removed', async () => {
    const dir = tempDir();
    const store = await openWith(dir, withPoster('talk'));
    await store.posters.put('talk', image);
    store.close();
    rmSync(path.join(dir, 'posters', sha256(image)));
    writeFileSync(path.join(dir, 'posters', 'a'.repeat(64)), 'orphan');

    const reopened = await ChunkStore.open(dir);
    expect(reopened.posters.has('talk')).toBe(false);
    expect(existsSync(path.join(dir, 'posters', 'a'.repeat(64)))).toBe(false);
    reopened.close();
  });
});

describe.skipIf(noFfmpeg)('a poster goes with its video', () => {
  it('deleting the video drops its poster; the file goes at the next open', async () => {
    const dir = tempDir();
    const store = await openWith(dir, withPoster('talk'));
    await store.posters.put('talk', image);
    await store.deleteVideo('talk');
    expect(store.posters.has('talk')).toBe(false);
    store.putManifest(withPoster('talk'));
    // The row went with the video; a new manifest does not bring the old poster back by itself.
    expect(await store.posters.get('talk')).toBeUndefined();
    store.close();
    const reopened = await ChunkStore.open(dir);
    expect(existsSync(reopened.posters.pathOf(sha256(image)))).toBe(false);
    reopened.close();
  });

  it('opens a store written before posters existed, keeping its videos', async () => {
    const dir = tempDir();
    const video = makeVideo('old store', 2);
    const before = await ChunkStore.open(dir);
    before.putManifest(video.manifest);
    await before.putChunk('old store', 0, video.chunks[0]!);
    before.close();
    // What version 1 of the schema looked like: no posters table.
    const db = new Database(path.join(dir, INDEX_FILE));
    db.exec('DROP TABLE posters');
    db.pragma('user_version = 1');
    db.close();

    const store = await ChunkStore.open(dir);
    expect(store.listVideos().map((row) => [row.name, row.chunksHeld])).toEqual([['old store', 1]]);
    expect(await store.posters.get('old store')).toBeUndefined();
    store.putManifest(withPoster('new'));
    await store.posters.put('new', image);
    expect(store.posters.has('new')).toBe(true);
    store.close();
  });
});
