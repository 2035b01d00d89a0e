/**
 * A person who opens a node's player without its token (a bookmark, a link from an earlier run) gets
 * a page in words saying where the URL comes from; programs asking for JSON still get the JSON error.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway } from '../../core/gateway/gateway.js';
import { serveGatewayHttp, type ServedGateway } from '../../core/gateway/serve-http.js';
import { tokenCookieName } from '../../core/gateway/security.js';
import type { ApiError } from '../../core/shared/api-types.js';
import { MemoryBackend } from './fixtures/memory-backend.js';
import { rawRequest, type RawResponse } from './http-client.js';

const token = 'token-page-test-0123456789';
let served: ServedGateway;

beforeAll(async () => {
  served = await serveGatewayHttp(
    createGateway({ backend: new MemoryBackend(), token, allowedHosts: ['127.0.0.1'] }),
  );
});

afterAll(async () => {
  await served?.close();
});

/** What Chromium sends when a person types the URL or follows a link. */
const BROWSER_ACCEPT =
  'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

const get = (path: string, headers: Record<string, string> = {}): Promise<RawResponse> =>
  rawRequest(`${served.url}${path}`, { headers });

function expectTokenPage(response: RawResponse, problem: 'TOKEN_REQUIRED' | 'TOKEN_INVALID'): void {
  expect(response.status).toBe(401);
  expect(response.headers['content-type']).toMatch(/^text\/html; charset=utf-8/i);
  expect(response.headers['cache-control']).toBe('no-store');
  expect(response.text).toContain(`data-problem="${problem}"`);
  expect(response.text).toContain('peerstreamer node … --ui');
  expect(response.text).toContain('npm run demo');
  expect(response.text).toContain('?token=');
  expect(response.text).not.toMatch(/<script/i);
  expect(response.text).not.toMatch(/\son\w+=/i);
}

describe('a browser without a valid token', () => {
  it.each(['', 'watch/clip', 'api/videos', 'hls/clip.m3u8'])(
    'gets the page that says how to open the player at /%s',
    async (path) => {
      expectTokenPage(await get(path, { Accept: BROWSER_ACCEPT }), 'TOKEN_REQUIRED');
    },
  );

  it('is told its link is from another run when the token is wrong', async () => {
    const wrong = 'w'.repeat(43);
    expectTokenPage(await get(`?token=${wrong}`, { Accept: BROWSER_ACCEPT }), 'TOKEN_INVALID');
    expectTokenPage(
      await get('', { Accept: BROWSER_ACCEPT, Cookie: `${tokenCookieName(token)}=${wrong}` }),
      'TOKEN_INVALID',
    );
  });

  it('runs nothing and loads nothing: the CSP allows only the page’s own style, by its hash', async () => {
    const response = await get('', { Accept: BROWSER_ACCEPT });
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('script-src');
    const style = /<style>([\s\S]*?)<\/style>/.exec(response.text)![1]!;
    const hash = createHash('sha256').update(style).digest('base64');
    expect(csp).toContain(`style-src 'sha256-${hash}'`);
    expect(response.headers['x-frame-options']).toBe('DENY');
  });

  it('answers HEAD with the status and no body', async () => {
    const response = await rawRequest(served.url, { method: 'HEAD', headers: { Accept: BROWSER_ACCEPT } });
    expect(response.status).toBe(401);
    expect(response.body.length).toBe(0);
  });
});

describe('an API client without a valid token', () => {
  it.each<[string, Record<string, string>]>([
    ['no Accept header', {}],
    ['Accept: application/json', { Accept: 'application/json' }],
    ['Accept: */* (fetch)', { Accept: '*/*' }],
    ['JSON and HTML both acceptable', { Accept: 'application/json, text/html;q=0.5' }],
  ])('still gets the JSON error with %s', async (_what, headers) => {
    const response = await get('api/videos', headers);
    expect(response.status).toBe(401);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json<ApiError>().error.code).toBe('TOKEN_REQUIRED');
  });

  it('gets TOKEN_INVALID as JSON for a wrong bearer token', async () => {
    const response = await get('api/videos', { Authorization: `Bearer ${'x'.repeat(43)}` });
    expect(response.status).toBe(401);
    expect(response.json<ApiError>().error.code).toBe('TOKEN_INVALID');
  });
});

describe('with the token', () => {
  it('a browser gets the API, not the page', async () => {
    const response = await get('api/videos', { Accept: BROWSER_ACCEPT, Authorization: `Bearer ${token}` });
    expect(response.status).toBe(200);
    expect(response.json()).toEqual([]);
  });
});
