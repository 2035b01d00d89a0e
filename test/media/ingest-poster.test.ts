/**
 * The poster step of a real ingest (real ffmpeg, a real store in a temp dir): a video gets a poster
 * its manifest names and its store holds; an audio-only file gets none; and when the poster cannot
 * be made or kept, the video is ingested all the same and the problem is reported.
 */
import { mkdir, mkdtemp, rm, rmdir, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestVideo } from '../../core/library/ingest.js';
import { checkManifest } from '../../core/shared/manifest-schema.js';
import { sniffPosterType } from '../../core/shared/poster.js';
import { ChunkStore } from '../../core/store/chunk-store.js';
import { sha256Hex } from '../../core/util/hash.js';
import { aacAudioOnly, generateFixture, h264Aac720p } from '../helpers/media-fixtures.js';
import { probeMedia } from '../../core/media/probe.js';
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
    expect(checkManifest(JSON.parse(JSON.stringify(manifest)))).toEqual({ manifest });
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
  it('a frame too detailed for a poster: the video is added without one, and the reason reported', async () => {
    // 320 px wide, so the poster is not scaled down: a frame of noise this size is about twice
    // the 64 KiB a poster may have, while the video itself remuxes like any H.264.
    const file = await generateFixture('poster-tall-noise', 'mp4', [
      ...['-f', 'lavfi', '-i', 'nullsrc=size=320x480:rate=24:duration=1'],
      ...['-vf', 'geq=random(1)*255:random(2)*255:random(3)*255'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', '24'],
      ...['-b:v', '20M', '-maxrate', '20M', '-bufsize', '20M', '{out}'],
    ]);
    const warnings: string[] = [];
    const manifest = await ingestVideo(store, file, {
      name: 'too detailed',
      onWarning: (w) => warnings.push(w),
    });
    expect(manifest.poster).toBeUndefined();
    expect(store.listVideos().find((video) => video.name === 'too detailed')?.chunksHeld).toBe(
      manifest.chunks.length,
    );
    expect(warnings).toEqual([expect.stringMatching(/larger than 65536 bytes/)]);
    expect(warnings[0]).toContain(file);
  });

  it('a file that cannot be cut gets no poster warning: its one failure is the cut', async () => {
    const text = path.join(dir, 'notes.mp4');
    await writeFile(text, 'these are my notes, not a video\n'.repeat(50));
    const { path: good } = await h264Aac720p(6);
    // The probe of a good file, so the poster starts; the cut of the text file fails.
    const probe = await probeMedia(good);
    const warnings: string[] = [];
    await expect(
      ingestVideo(store, text, { name: 'not cut', probe, onWarning: (w) => warnings.push(w) }),
    ).rejects.toThrow();
    expect(warnings).toEqual([]);
    expect(store.listVideos().some((video) => video.name === 'not cut')).toBe(false);
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
