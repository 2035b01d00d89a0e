/**
 * A live stream through the player's API: once its DVR window has dropped chunks, its list starts
 * above 0 and a chunk is served by its index, not by its place in the list; its manifest is never
 * cached (it grows every chunk); its library entry says it is live and gives no viewer count the
 * node did not give.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { GatewayBackend } from '../../core/gateway/backend.js';
import { createGateway } from '../../core/gateway/gateway.js';
import { libraryEntry } from '../../core/gateway/library-entry.js';
import type { ApiError, LibraryEntry } from '../../core/shared/api-types.js';
import { LiveManifestBuilder, newLiveStreamId } from '../../core/trust/live-manifest-builder.js';
import { publisherKeyPairFromSeed } from '../../core/trust/publisher-key.js';
import { PeerStreamerError } from '../../core/util/errors.js';

const token = 'live-stream-routes-token';
const NAME = 'all hands';
const bytesOf = (index: number): Uint8Array => new TextEncoder().encode(`live chunk ${index}`);
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

const builder = new LiveManifestBuilder(
  {
    name: NAME,
    mimeType: 'video/mp4; codecs="avc1.64001f, mp4a.40.2"',
    width: 1280,
    height: 720,
    init: { size: 900, sha256: sha256(new Uint8Array(900)) },
    ingest: { mode: 'remux', sourceCodecs: ['h264', 'aac'] },
    stream: newLiveStreamId(),
    window: 4,
  },
  publisherKeyPairFromSeed(new Uint8Array(32).fill(3)),
);
for (let index = 0; index < 10; index++) {
  const bytes = bytesOf(index);
  builder.append({
    start: index,
    duration: 1,
    size: bytes.length,
    sha256: sha256(bytes),
    captureTime: Date.UTC(2026, 11, 3) + index * 1000,
  });
}

const backend = {
  listVideos: async () => [libraryEntry(builder.manifest(), 0, 0)],
  getManifest: async () => builder.manifest(),
  getChunk: async (_name: string, index: number) => ({ bytes: bytesOf(index), origin: 'source' as const }),
  getPoster: async () => null,
  getInit: async () => {
    throw new PeerStreamerError('CHUNK_NOT_FOUND', 'not in this test', {});
  },
} as unknown as GatewayBackend;
const gateway = createGateway({ backend, token, allowedHosts: ['127.0.0.1'] });

const get = (path: string): Promise<Response> =>
  gateway.fetch(new Request(`http://127.0.0.1:9/${path}`, { headers: { Authorization: `Bearer ${token}` } }));

describe('a live stream through the API', () => {
  it('serves a chunk of a slid window by its index, and names the indexes it lists when asked for another', async () => {
    const first = builder.manifest().chunks[0]!.index;
    expect(first).toBeGreaterThan(0);
    const name = encodeURIComponent(NAME);
    const newest = await get(`api/videos/${name}/chunks/9`);
    expect(newest.status).toBe(200);
    expect(new Uint8Array(await newest.arrayBuffer())).toEqual(bytesOf(9));
    const oldest = await get(`api/videos/${name}/chunks/${first}`);
    expect(oldest.status).toBe(200);
    expect(new Uint8Array(await oldest.arrayBuffer())).toEqual(bytesOf(first));
    // Dropped by the window: gone, with the indexes that are there.
    const dropped = await get(`api/videos/${name}/chunks/0`);
    expect(dropped.status).toBe(404);
    expect(((await dropped.json()) as ApiError).error.message).toContain(`(${first}-9)`);
  });

  it('never lets its growing manifest be cached', async () => {
    const response = await get(`api/videos/${encodeURIComponent(NAME)}/manifest`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('lists it as live, with no viewer count the node did not give', async () => {
    const [entry] = (await (await get('api/videos')).json()) as LibraryEntry[];
    expect(entry!.live).toEqual({ state: 'live', startedAt: builder.header.live.startedAt });
  });
});
