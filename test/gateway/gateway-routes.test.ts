import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiError, LibraryEntry, NodeStats, TopologyNode } from '../../core/shared/api-types.js';
import { MANIFEST_VERSION, type LegacyManifest, type Manifest } from '../../core/shared/manifest.js';
import { sha256Hex } from '../../core/util/hash.js';
import { startSourceNode, type SourceNode } from './fixtures/source-node.js';
import { rawRequest } from './http-client.js';
import { lacks, requires } from '../helpers/requirements.js';

const noFfmpeg = lacks(requires.ffmpeg);

let node: SourceNode;
const auth = (): Record<string, string> => ({ Authorization: `Bearer ${node.token}` });
const get = (path: string, headers: Record<string, string> = {}) =>
  rawRequest(node.url + path, { headers: { ...auth(), ...headers } });

beforeAll(async () => {
  node = await startSourceNode({ videos: [{ name: 'Test Clip', seconds: 10 }] });
  // A legacy (byte-split) video, as `peerstreamer import-legacy` stores it.
  const bytes = Buffer.from('legacy chunk bytes, not media');
  const writer = node.store.beginVideo('old-video', { replace: false });
  await writer.writeChunk(0, bytes);
  const legacy: LegacyManifest = {
    version: MANIFEST_VERSION,
    kind: 'legacy',
    name: 'old-video',
    mimeType: 'application/octet-stream',
    duration: null,
    width: null,
    height: null,
    init: null,
    chunks: [{ index: 0, start: null, duration: null, size: bytes.length, sha256: sha256Hex(bytes) }],
    createdAt: new Date().toISOString(),
  };
  await writer.commit(legacy, { pinned: true });
});

afterAll(async () => {
  await node?.close();
});

describe.skipIf(noFfmpeg)('library and manifests', () => {
  it('lists every video with its size, duration and how much is held', async () => {
    const response = await get('api/videos');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const videos = response.json<LibraryEntry[]>();
    const clip = videos.find((video) => video.name === 'Test Clip')!;
    const manifest = node.manifests.get('Test Clip')!;
    expect(clip).toMatchObject({
      kind: 'fmp4',
      width: 640,
      height: 360,
      chunks: manifest.chunks.length,
      chunksHeld: manifest.chunks.length,
    });
    expect(clip.duration).toBeCloseTo(manifest.duration, 1);
    expect(videos.find((video) => video.name === 'old-video')).toMatchObject({
      kind: 'legacy',
      duration: null,
    });
  });

  it('serves the manifest of a name with a space (percent-encoded in the URL)', async () => {
    const response = await get('api/videos/Test%20Clip/manifest');
    expect(response.status).toBe(200);
    const manifest = response.json<Manifest>();
    expect(manifest).toEqual(node.manifests.get('Test Clip'));
  });

  it('404s an unknown video with a JSON error naming it', async () => {
    const response = await get('api/videos/nope/manifest');
    expect(response.status).toBe(404);
    expect(response.json<ApiError>().error).toMatchObject({ code: 'VIDEO_NOT_FOUND' });
    expect(response.json<ApiError>().error.message).toContain('nope');
  });
});

describe.skipIf(noFfmpeg)('init segment and chunks', () => {
  it('serves the init segment with its MIME type and immutable caching', async () => {
    const manifest = node.manifests.get('Test Clip')!;
    const response = await get('api/videos/Test%20Clip/init');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('video/mp4');
    expect(response.headers['cache-control']).toContain('immutable');
    expect(sha256Hex(response.body)).toBe(manifest.init.sha256);
    const again = await get('api/videos/Test%20Clip/init', {
      'If-None-Match': String(response.headers.etag),
    });
    expect(again.status).toBe(304);
  });

  it('serves every chunk, verified, with its origin', async () => {
    const manifest = node.manifests.get('Test Clip')!;
    for (const chunk of manifest.chunks) {
      const response = await get(`api/videos/Test%20Clip/chunks/${chunk.index}`);
      expect(response.status).toBe(200);
      expect(response.headers['x-peerstreamer-origin']).toBe('local');
      expect(createHash('sha256').update(response.body).digest('hex')).toBe(chunk.sha256);
    }
  });

  it.each(['-1', '1.5', 'abc', '01', '1e3', '%20'])('400s chunk index %j', async (index) => {
    const response = await get(`api/videos/Test%20Clip/chunks/${index}`);
    expect(response.status).toBe(400);
    expect(response.json<ApiError>().error.code).toBe('INVALID_ARGUMENT');
  });

  it('404s a chunk index past the end, saying how many chunks there are', async () => {
    const count = node.manifests.get('Test Clip')!.chunks.length;
    const response = await get(`api/videos/Test%20Clip/chunks/${count}`);
    expect(response.status).toBe(404);
    expect(response.json<ApiError>().error).toMatchObject({ code: 'CHUNK_NOT_FOUND' });
    expect(response.json<ApiError>().error.message).toContain(`${count} chunks`);
  });

  it('serves legacy chunks as bytes but refuses an init segment (409)', async () => {
    expect((await get('api/videos/old-video/chunks/0')).status).toBe(200);
    const init = await get('api/videos/old-video/init');
    expect(init.status).toBe(409);
    expect(init.json<ApiError>().error.code).toBe('LEGACY_FORMAT');
    const playlist = await get('hls/old-video.m3u8');
    expect(playlist.status).toBe(409);
    expect(playlist.json<ApiError>().error.message).toContain('byte-split');
  });
});

describe.skipIf(noFfmpeg)('stats and topology', () => {
  it('describes a lone source node', async () => {
    const stats = (await get('api/stats')).json<NodeStats>();
    expect(stats).toMatchObject({ name: 'test-source', role: 'source', peers: [], currentMaster: null });
    expect(stats.bytesFetched.local).toBeGreaterThan(0);
    expect(stats.chunksHeld).toBeGreaterThan(0);
    const topology = (await get('api/topology')).json<TopologyNode>();
    const manifest = node.manifests.get('Test Clip')!;
    expect(topology).toMatchObject({ name: 'test-source', self: true, alive: true, children: [] });
    expect(topology.chunks['Test Clip']).toEqual(manifest.chunks.map((chunk) => chunk.index));
  });
});

describe.skipIf(noFfmpeg)('routing', () => {
  it.each(['nope', 'api/nope', 'api/videos/Test%20Clip/other', 'api'])(
    '404s unknown route /%s as JSON',
    async (path) => {
      const response = await get(path);
      expect(response.status).toBe(404);
      expect(response.json<ApiError>().error.code).toBe('NOT_FOUND');
    },
  );

  it('rejects writes: the API is read-only', async () => {
    const response = await rawRequest(`${node.url}api/videos`, { method: 'POST', headers: auth() });
    expect(response.status).toBe(405);
  });
});
