/**
 * The poster step of a real ingest (real ffmpeg, a real store in a temp dir): a video gets a poster
 * its manifest names and its store holds; an audio-only file gets none; and when the poster cannot
 * be made or kept, the video is ingested all the same and the problem is reported.
 */
import { unlinkSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, rmdir, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestVideo } from '../../core/library/ingest.js';
import { validateManifest } from '../../core/media/manifest-validate.js';
import { sniffPosterType } from '../../core/shared/poster.js';
import { ChunkStore } from '../../core/store/chunk-store.js';
import { sha256Hex } from '../../core/util/hash.js';
import { aacAudioOnly, h264Aac720p } from '../helpers/media-fixtures.js';
import { lacks, requires } from '../helpers/requirements.js';

const noFfmpeg = lacks(requires.ffmpeg);

let dir: string;
let store: ChunkStore;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ps-ingest-poster-'));
  store = await ChunkStore.open(path.join(dir, 'store'));
});
afterAll(async () => {
  store?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(noFfmpeg)('ingest makes a poster', () => {
  it('names it in the manifest and keeps it in the store', async () => {
    const warnings: string[] = [];
    const { path: file } = await h264Aac720p(6);
    const manifest = await ingestVideo(store, file, {
      name: 'with poster',
      onWarning: (w) => warnings.push(w),
    });
    expect(warnings).toEqual([]);
    expect(manifest.poster).toMatchObject({ mimeType: 'image/webp' });
    expect(manifest.poster!.size).toBeLessThan(40_000);
    // The manifest with its poster is still a valid manifest, on the wire and on disk.
    expect(validateManifest(JSON.parse(JSON.stringify(manifest)))).toEqual(manifest);
    const held = await store.posters.get('with poster');
    expect(held!.bytes.length).toBe(manifest.poster!.size);
    expect(sha256Hex(held!.bytes)).toBe(manifest.poster!.sha256);
    expect(sniffPosterType(held!.bytes)).toBe('image/webp');
  });

  it('gives an audio-only file none, and says nothing about it', async () => {
    const warnings: string[] = [];
    const { path: file } = await aacAudioOnly(4);
    const manifest = await ingestVideo(store, file, { name: 'audio', onWarning: (w) => warnings.push(w) });
    expect(manifest.poster).toBeUndefined();
    expect(warnings).toEqual([]);
    expect(await store.posters.get('audio')).toBeUndefined();
  });

  it('makes none when asked not to', async () => {
    const { path: file } = await h264Aac720p(6);
    const manifest = await ingestVideo(store, file, { name: 'no poster wanted', poster: false });
    expect(manifest.poster).toBeUndefined();
  });
});

describe.skipIf(noFfmpeg)('a poster that fails does not fail the ingest', () => {
  it('the source file vanishing after the cut: the video is added without a poster, and the reason reported', async () => {
    const { path: fixture } = await h264Aac720p(6);
    const file = path.join(dir, 'vanishing.mp4');
    await copyFile(fixture, file);
    const warnings: string[] = [];
    let unlinked = false;
    const manifest = await ingestVideo(store, file, {
      name: 'vanished',
      onWarning: (w) => warnings.push(w),
      // ffmpeg already has the file open while it reports progress; the poster step opens it afresh.
      onProgress: () => {
        if (!unlinked) {
          unlinked = true;
          unlinkSync(file);
        }
      },
    });
    expect(unlinked).toBe(true);
    expect(manifest.poster).toBeUndefined();
    expect(store.listVideos().find((video) => video.name === 'vanished')?.chunksHeld).toBe(
      manifest.chunks.length,
    );
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(file);
  });

  it('a store that cannot keep the poster: the video is added, the poster reported missing', async () => {
    const own = await ChunkStore.open(path.join(dir, 'broken-posters'));
    try {
      // The posters directory replaced by a file: writing into it fails with ENOTDIR.
      const posters = path.join(dir, 'broken-posters', 'posters');
      await rmdir(posters);
      await writeFile(posters, 'not a directory');
      const warnings: string[] = [];
      const { path: file } = await h264Aac720p(6);
      const manifest = await ingestVideo(own, file, { name: 'kept', onWarning: (w) => warnings.push(w) });
      expect(manifest.poster).toBeDefined();
      expect(own.getManifest('kept')).toEqual(manifest);
      expect(await own.posters.get('kept')).toBeUndefined();
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/poster of kept was not stored/);
      await unlink(posters);
      await mkdir(posters);
    } finally {
      own.close();
    }
  });
});
