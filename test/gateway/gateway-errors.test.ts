import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway } from '../../core/gateway/gateway.js';
import { serveGatewayHttp, type ServedGateway } from '../../core/gateway/serve-http.js';
import type { ApiError } from '../../core/shared/api-types.js';
import { PeerStreamerError, type ErrorCode } from '../../core/util/errors.js';
import { MANIFEST_VERSION, type MediaManifest } from '../../core/shared/manifest.js';
import { MemoryBackend } from './fixtures/memory-backend.js';
import { rawRequest } from './http-client.js';

const token = 'test-token-0123456789abcdef';
const backend = new MemoryBackend();
let served: ServedGateway;

const manifest: MediaManifest = {
  version: MANIFEST_VERSION,
  kind: 'fmp4',
  name: 'faulty',
  mimeType: 'video/mp4; codecs="avc1.64001e"',
  duration: 2,
  width: 16,
  height: 16,
  init: { size: 1, sha256: '0'.repeat(64) },
  chunks: [{ index: 0, start: 0, duration: 2, size: 1, sha256: '1'.repeat(64) }],
  createdAt: new Date(0).toISOString(),
  ingest: { mode: 'remux', sourceCodecs: ['h264'] },
};

beforeAll(async () => {
  backend.add({ manifest, init: new Uint8Array([0]), chunks: [new Uint8Array([1])] });
  served = await serveGatewayHttp(createGateway({ backend, token, allowedHosts: ['127.0.0.1'] }));
});

afterAll(async () => {
  await served?.close();
});

const getChunk = () =>
  rawRequest(`${served.url}api/videos/faulty/chunks/0`, { headers: { Authorization: `Bearer ${token}` } });

describe('backend errors become statuses the player can act on', () => {
  it.each<[ErrorCode, number]>([
    ['CHUNK_NOT_FOUND', 404],
    ['VIDEO_NOT_FOUND', 404],
    ['INVALID_CHECKSUM', 502],
    ['UNREACHABLE', 503],
    ['TIMEOUT', 504],
    ['INVALID_ARGUMENT', 400],
  ])('%s -> %i, with the code and message', async (code, status) => {
    backend.chunkFault = () => new PeerStreamerError(code, `fault ${code}`, {});
    const response = await getChunk();
    expect(response.status).toBe(status);
    expect(response.json<ApiError>()).toEqual({ error: { code, message: `fault ${code}` } });
  });

  it('hides anything unexpected behind a bare 500, leaking neither message nor stack', async () => {
    backend.chunkFault = () => new Error('secret at /home/user/.config/thing') as PeerStreamerError;
    const response = await getChunk();
    expect(response.status).toBe(500);
    expect(response.json<ApiError>().error.code).toBe('INTERNAL');
    expect(response.text).not.toContain('secret');
    expect(response.text).not.toContain('/home/user');
    expect(response.text).not.toMatch(/\bat\s/);
  });

  it('recovers as soon as the backend does', async () => {
    backend.chunkFault = undefined;
    expect((await getChunk()).status).toBe(200);
  });
});
