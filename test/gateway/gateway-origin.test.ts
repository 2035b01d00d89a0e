/**
 * The gateway answers a request carrying an Origin only when that Origin is exactly its own: the
 * scheme, a host name it answers to, and the port it listens on. Another program's page on the same
 * host (another port), an https look-alike, a longer host name, or a sandboxed frame (`null`) is
 * refused, even with the right token. Requests without an Origin (VLC, mpv, curl) work as before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../core/gateway/gateway.js';
import { serveGatewayHttp, type ServedGateway } from '../../core/gateway/serve-http.js';
import type { ApiError } from '../../core/shared/api-types.js';
import { MemoryBackend } from './fixtures/memory-backend.js';
import { rawRequest, type RawResponse } from './http-client.js';

const token = 'origin-test-token-0123456789';
let served: ServedGateway;
let port: number;

beforeAll(async () => {
  // The host names serveNodeUi allows.
  const gateway = createGateway({
    backend: new MemoryBackend(),
    token,
    allowedHosts: ['127.0.0.1', 'localhost', '[::1]'],
  });
  served = await serveGatewayHttp(gateway);
  port = served.port;
});

afterAll(async () => {
  await served?.close();
});

const withOrigin = (origin: string, headers: Record<string, string> = {}): Promise<RawResponse> =>
  rawRequest(`${served.url}api/videos`, {
    headers: { Authorization: `Bearer ${token}`, Origin: origin, ...headers },
  });

function expectRefused(response: RawResponse, origin: string): void {
  expect(response.status).toBe(403);
  const error = response.json<ApiError>().error;
  expect(error.code).toBe('ORIGIN_NOT_ALLOWED');
  // Names what came and what this node would take.
  expect(error.message).toContain(JSON.stringify(origin));
  expect(error.message).toContain(`http://127.0.0.1:${port}`);
  expect(response.headers['access-control-allow-origin']).toBeUndefined();
}

describe('a request with an Origin', () => {
  it.each(['127.0.0.1', 'localhost', '[::1]'])(
    'is answered from its own origin, http://%s:<port>',
    async (host) => {
      const response = await withOrigin(`http://${host}:${port}`);
      expect(response.status).toBe(200);
      expect(response.json<unknown[]>()).toEqual([]);
    },
  );

  it.each<[string, (port: number) => string]>([
    ['another port on the same host', (p) => `http://127.0.0.1:${p === 9999 ? 9998 : 9999}`],
    ['the same host and port over https', (p) => `https://127.0.0.1:${p}`],
    ['a longer host that starts with ours', (p) => `http://127.0.0.1:${p}.evil.example`],
    ['a sandboxed frame or file: page (null)', () => 'null'],
    ['our host without the port', () => 'http://127.0.0.1'],
    ['our origin with a path', (p) => `http://127.0.0.1:${p}/`],
    ['a foreign host on our port', (p) => `http://evil.example:${p}`],
    ['our origin with user info', (p) => `http://user@127.0.0.1:${p}`],
    ['an empty Origin', () => ''],
  ])('is refused from %s', async (_what, originOf) => {
    const origin = originOf(port);
    expectRefused(await withOrigin(origin), origin);
  });

  it('is judged by the port the server listens on, not the port a Host header names', async () => {
    // A page on 127.0.0.1:9999 cannot make its browser send this Host; a non-browser could, and
    // must not thereby make :9999 our origin.
    const other = port === 9999 ? 9998 : 9999;
    const origin = `http://127.0.0.1:${other}`;
    expectRefused(await withOrigin(origin, { Host: `127.0.0.1:${other}` }), origin);
  });

  it('is refused before the token is looked at, and before a preflight is answered', async () => {
    const origin = `http://127.0.0.1:${port === 9999 ? 9998 : 9999}`;
    expectRefused(await rawRequest(`${served.url}api/videos`, { headers: { Origin: origin } }), origin);
    const preflight = await rawRequest(`${served.url}api/videos`, {
      method: 'OPTIONS',
      headers: { Origin: origin, 'Access-Control-Request-Method': 'GET' },
    });
    expectRefused(preflight, origin);
  });
});

describe('a request without an Origin', () => {
  it('is answered with the token, as players and curl send it', async () => {
    expect((await rawRequest(`${served.url}api/videos?token=${token}`)).status).toBe(200);
    expect(
      (await rawRequest(`${served.url}api/videos`, { headers: { Authorization: `Bearer ${token}` } })).status,
    ).toBe(200);
  });

  it('still needs the token', async () => {
    const response = await rawRequest(`${served.url}api/videos`);
    expect(response.status).toBe(401);
    expect(response.json<ApiError>().error.code).toBe('TOKEN_REQUIRED');
  });
});

describe('in process, as Electron’s protocol handler calls it', () => {
  // The handler builds the request URL itself, so its scheme and host give the own origin.
  let gateway: Gateway;
  beforeAll(() => {
    gateway = createGateway({ backend: new MemoryBackend(), token, allowedHosts: ['app'] });
  });
  const call = (origin: string): Promise<Response> =>
    gateway.fetch(
      new Request('peerstreamer://app/api/videos', {
        headers: { Authorization: `Bearer ${token}`, Host: 'app', Origin: origin },
      }),
    );

  it('answers the app’s own origin', async () => {
    expect((await call('peerstreamer://app')).status).toBe(200);
  });

  it.each(['peerstreamer://other', 'http://app', 'https://app', 'peerstreamer://app:1'])(
    'refuses %s',
    async (origin) => {
      const response = await call(origin);
      expect(response.status).toBe(403);
      expect(((await response.json()) as ApiError).error.code).toBe('ORIGIN_NOT_ALLOWED');
    },
  );
});
