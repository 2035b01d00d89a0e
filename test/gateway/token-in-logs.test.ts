/**
 * The gateway token never reaches a log line: not from a URL that carries it (links, external
 * players, the first page load), nor from a header, nor when a request fails. The gateway runs for
 * real, over HTTP, with a logger at its most talkative, and every line it writes is searched.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway } from '../../core/gateway/gateway.js';
import { serveGatewayHttp, type ServedGateway } from '../../core/gateway/serve-http.js';
import { tokenCookieName } from '../../core/gateway/security.js';
import { REDACTED, createGatewayToken } from '../../core/gateway/token.js';
import type { PeerStreamerError } from '../../core/util/errors.js';
import { MemoryBackend } from './fixtures/memory-backend.js';
import { oneChunkVideo } from './fixtures/one-chunk-video.js';
import { rawRequest } from './http-client.js';

const token = createGatewayToken();
const wrongToken = createGatewayToken();
const lines: string[] = [];
const backend = new MemoryBackend();
let served: ServedGateway;
let staticDir: string;

beforeAll(async () => {
  staticDir = await mkdtemp(path.join(tmpdir(), 'ps-token-logs-'));
  await writeFile(path.join(staticDir, 'index.html'), '<!doctype html><title>player</title>');
  backend.add(oneChunkVideo('clip'));
  // Every line, at every level, as the node's logger would write it.
  const logger = pino(
    { level: 'trace', base: { node: 'token-logs' } },
    { write: (line) => lines.push(line) },
  );
  served = await serveGatewayHttp(
    createGateway({ backend, token, allowedHosts: ['127.0.0.1'], staticDir, logger }),
  );
});

afterAll(async () => {
  await served?.close();
  await rm(staticDir, { recursive: true, force: true });
});

const at = (pathAndQuery: string): string => `${served.url}${pathAndQuery}`;

describe('the gateway’s log', () => {
  it('never holds the token, wherever the request carried it, whatever became of the request', async () => {
    const statuses = [
      // In the query: the API, an external player's playlist and segment, the first page load.
      (await rawRequest(at(`api/videos?token=${token}`))).status,
      (await rawRequest(at(`hls/clip.m3u8?token=${token}`))).status,
      (await rawRequest(at(`hls/clip/0.m4s?token=${token}`))).status,
      (await rawRequest(at(`?token=${token}&v=1`), { headers: { Accept: 'text/html' } })).status,
      // Under a key spelled another way the gateway still reads as `token`.
      (await rawRequest(at(`api/videos?%74oken=${token}`))).status,
      // In a header and in the cookie.
      (await rawRequest(at('api/stats'), { headers: { Authorization: `Bearer ${token}` } })).status,
      (await rawRequest(at('api/topology'), { headers: { Cookie: `${tokenCookieName(token)}=${token}` } }))
        .status,
      // Refused: a wrong token, a foreign origin, a route that does not exist.
      (await rawRequest(at(`api/videos?token=${wrongToken}`))).status,
      (await rawRequest(at(`api/videos?token=${token}`), { headers: { Origin: 'http://evil.example' } }))
        .status,
      (await rawRequest(at(`api/nothing?token=${token}`))).status,
    ];
    expect(statuses).toEqual([200, 200, 200, 303, 200, 200, 200, 401, 403, 404]);
    // Failed: the backend throws something unexpected, which the gateway logs as a warning.
    backend.chunkFault = () => new Error(`backend broke`) as PeerStreamerError;
    try {
      expect((await rawRequest(at(`api/videos/clip/chunks/0?token=${token}`))).status).toBe(500);
    } finally {
      backend.chunkFault = undefined;
    }

    const log = lines.join('');
    // The log is there to be searched: one line per request, and the warning with its error.
    expect(lines.filter((line) => line.includes('"gateway request"'))).toHaveLength(statuses.length + 1);
    expect(log).toContain('gateway request failed');
    expect(log).toContain('backend broke');
    expect(log).toContain(`token=${REDACTED}`);
    expect(log).toContain(`%74oken=${REDACTED}`);
    expect(log).not.toContain(token);
    expect(log).not.toContain(wrongToken);
  });
});
