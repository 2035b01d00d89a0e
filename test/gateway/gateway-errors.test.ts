import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway } from '../../core/gateway/gateway.js';
import { serveGatewayHttp, type ServedGateway } from '../../core/gateway/serve-http.js';
import type { ApiError } from '../../core/shared/api-types.js';
import { PeerStreamerError, type ErrorCode } from '../../core/util/errors.js';
import { MemoryBackend } from './fixtures/memory-backend.js';
import { oneChunkVideo } from './fixtures/one-chunk-video.js';
import { rawRequest } from './http-client.js';

const token = 'test-token-0123456789abcdef';
const backend = new MemoryBackend();
let served: ServedGateway;

beforeAll(async () => {
  backend.add(oneChunkVideo('faulty'));
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
