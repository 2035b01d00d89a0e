/**
 * The poster route of a real gateway over a real store: videos ingested with real ffmpeg, caching
 * headers, and every way a poster can be missing or bad giving a clean 404 (never bad bytes).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestVideo } from '../../core/library/ingest.js';
import type { ApiError, LibraryEntry } from '../../core/shared/api-types.js';
import { legacyManifest, manifestBytes } from '../../core/shared/manifest.js';
import { sniffPosterType } from '../../core/shared/poster.js';
import { sha256Hex } from '../../core/util/hash.js';
import { startSourceNode, type SourceNode } from './fixtures/source-node.js';
import { rawRequest } from './http-client.js';
import { lacks, requires } from '../helpers/requirements.js';

const noFfmpeg = lacks(requires.ffmpeg);

let node: SourceNode;
const get = (path: string, headers: Record<string, string> = {}) =>
  rawRequest(node.url + path, { headers: { Authorization: `Bearer ${node.token}`, ...headers } });
const posterPath = (name: string, query = '') => `api/videos/${encodeURIComponent(name)}/poster${query}`;

beforeAll(async () => {
  node = await startSourceNode({
    videos: [
      { name: 'With Poster', seconds: 6 },
      { name: 'Damaged', seconds: 4 },
    ],
  });
  // Videos from before posters: ingested without one, and a legacy import.
  await ingestVideo(node.store, node.files.get('With Poster')!, { name: 'No Poster', poster: false });
  const bytes = Buffer.from('legacy bytes');
  const writer = node.store.beginVideo('legacy', { replace: false });
  await writer.writeChunk(0, bytes);
  await writer.commit(legacyManifest('legacy', [{ size: bytes.length, sha256: sha256Hex(bytes) }]));
}, 120_000);

afterAll(async () => {
  await node?.close();
});

function expectApiError(response: { status: number; json<T>(): T }, status: number, code: string): string {
  expect(response.status).toBe(status);
  const body = response.json<ApiError>();
  expect(body.error.code).toBe(code);
  return body.error.message;
}

describe.skipIf(noFfmpeg)('the library names each poster', () => {
  it('by its sha256, with every video’s total size', async () => {
    const videos = (await get('api/videos')).json<LibraryEntry[]>();
    const byName = new Map(videos.map((video) => [video.name, video]));
    const manifest = node.manifests.get('With Poster')!;
    expect(byName.get('With Poster')).toMatchObject({
      posterSha256: manifest.poster!.sha256,
      bytesTotal: manifestBytes(manifest),
    });
    expect(byName.get('No Poster')!.posterSha256).toBeNull();
    expect(byName.get('legacy')).toMatchObject({ posterSha256: null, bytesTotal: 12 });
  });
});

describe.skipIf(noFfmpeg)('GET api/videos/<name>/poster', () => {
  it('serves the image, cached for good under its content-addressed URL', async () => {
    const ref = node.manifests.get('With Poster')!.poster!;
    const response = await get(posterPath('With Poster', `?v=${ref.sha256}`));
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('image/webp');
    expect(response.headers['cache-control']).toBe('private, max-age=31536000, immutable');
    expect(response.headers['etag']).toBe(`"${ref.sha256}"`);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.body.length).toBe(ref.size);
    expect(sha256Hex(response.body)).toBe(ref.sha256);
    expect(sniffPosterType(response.body)).toBe('image/webp');
  });

  it('without the content address it is revalidated, and an unchanged poster is a 304', async () => {
    const ref = node.manifests.get('With Poster')!.poster!;
    const plain = await get(posterPath('With Poster'));
    expect(plain.status).toBe(200);
    expect(plain.headers['cache-control']).toBe('private, no-cache');
    const again = await get(posterPath('With Poster'), { 'If-None-Match': `"${ref.sha256}"` });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    // A stale address (the video was replaced since) is not cached for good.
    const stale = await get(posterPath('With Poster', `?v=${'0'.repeat(64)}`));
    expect(stale.headers['cache-control']).toBe('private, no-cache');
  });

  it('an unknown video is a clean 404 naming it', async () => {
    const message = expectApiError(await get(posterPath('Nobody')), 404, 'VIDEO_NOT_FOUND');
    expect(message).toContain('Nobody');
  });

  it('a video without a poster, or a legacy one, is a 404 the card can fall back on', async () => {
    expectApiError(await get(posterPath('No Poster')), 404, 'POSTER_NOT_FOUND');
    expectApiError(await get(posterPath('legacy')), 404, 'POSTER_NOT_FOUND');
  });

  it('refuses bad names and requests without the token', async () => {
    expectApiError(await get('api/videos/..%2Fescape/poster'), 400, 'INVALID_NAME');
    const anonymous = await rawRequest(node.url + posterPath('With Poster'));
    expect(anonymous.status).toBe(401);
  });

  it('a poster file damaged on disk is not served: 404, and the file is dropped', async () => {
    const ref = node.manifests.get('Damaged')!.poster!;
    const file = node.store.posters.pathOf(ref.sha256);
    const bytes = readFileSync(file);
    bytes[bytes.length >> 1]! ^= 0xff;
    writeFileSync(file, bytes);
    expect(node.store.posters.has('Damaged')).toBe(true);
    expectApiError(await get(posterPath('Damaged', `?v=${ref.sha256}`)), 404, 'POSTER_NOT_FOUND');
    expect(node.store.posters.has('Damaged')).toBe(false);
    // The other video's poster is untouched.
    expect((await get(posterPath('With Poster'))).status).toBe(200);
  });
});
