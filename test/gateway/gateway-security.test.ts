import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway } from '../../core/gateway/gateway.js';
import { serveGatewayHttp } from '../../core/gateway/serve-http.js';
import { tokenCookieName } from '../../core/gateway/security.js';
import type { ApiError } from '../../core/shared/api-types.js';
import { isPeerStreamerError } from '../../core/util/errors.js';
import { startSourceNode, type SourceNode } from './fixtures/source-node.js';
import { rawRequest } from './http-client.js';
import { lacks, requires } from '../helpers/requirements.js';

const noFfmpeg = lacks(requires.ffmpeg);

let node: SourceNode;
let staticDir: string;

beforeAll(async () => {
  staticDir = await mkdtemp(path.join(tmpdir(), 'ps-static-'));
  await mkdir(path.join(staticDir, 'assets'));
  await writeFile(path.join(staticDir, 'index.html'), '<!doctype html><title>player</title>');
  await writeFile(path.join(staticDir, 'assets', 'app-abc123.js'), 'console.log("hi")');
  node = await startSourceNode({ videos: [{ name: 'clip', seconds: 4 }], staticDir });
});

afterAll(async () => {
  await node?.close();
  await rm(staticDir, { recursive: true, force: true });
});

const url = (p: string): string => node.url + p;

describe.skipIf(noFfmpeg)('token', () => {
  it.each([
    'api/videos',
    'api/videos/clip/chunks/0',
    'api/events',
    'hls/clip.m3u8',
    '',
    'assets/app-abc123.js',
  ])('401s /%s without a token', async (p) => {
    const response = await rawRequest(url(p));
    expect(response.status).toBe(401);
    expect(response.json<ApiError>().error.code).toBe('TOKEN_REQUIRED');
  });

  it('401s a wrong token in each place it may ride', async () => {
    const wrong = 'x'.repeat(43);
    for (const response of [
      await rawRequest(url('api/videos'), { headers: { Authorization: `Bearer ${wrong}` } }),
      await rawRequest(url('api/videos'), { headers: { Cookie: `${tokenCookieName(node.token)}=${wrong}` } }),
      await rawRequest(url(`api/videos?token=${wrong}`)),
    ]) {
      expect(response.status).toBe(401);
      expect(response.json<ApiError>().error.code).toBe('TOKEN_INVALID');
    }
  });

  it('accepts the token as a bearer header, a cookie, or a query parameter', async () => {
    expect(
      (await rawRequest(url('api/videos'), { headers: { Authorization: `Bearer ${node.token}` } })).status,
    ).toBe(200);
    expect(
      (
        await rawRequest(url('api/videos'), {
          headers: { Cookie: `a=b; ${tokenCookieName(node.token)}=${node.token}` },
        })
      ).status,
    ).toBe(200);
    expect((await rawRequest(node.withToken('api/videos'))).status).toBe(200);
  });

  it('trades ?token= on a page load for an HttpOnly SameSite=Strict cookie and a clean redirect', async () => {
    const response = await rawRequest(node.withToken('?v=1'), { headers: { Accept: 'text/html' } });
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/?v=1');
    const cookie = String(response.headers['set-cookie']);
    expect(cookie).toContain(`${tokenCookieName(node.token)}=${node.token}`);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const page = await rawRequest(url(''), {
      headers: { Cookie: `${tokenCookieName(node.token)}=${node.token}` },
    });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain('media-src');
    expect(csp).toContain("frame-ancestors 'none'");
  });
});

describe.skipIf(noFfmpeg)('static renderer', () => {
  const cookie = (): Record<string, string> => ({ Cookie: `${tokenCookieName(node.token)}=${node.token}` });

  it('serves hashed assets as immutable and falls back to index.html for client routes', async () => {
    const asset = await rawRequest(url('assets/app-abc123.js'), { headers: cookie() });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toContain('immutable');
    const route = await rawRequest(url('watch/something'), { headers: cookie() });
    expect(route.status).toBe(200);
    expect(route.text).toContain('<title>player</title>');
    expect((await rawRequest(url('assets/missing.js'), { headers: cookie() })).status).toBe(404);
  });

  it.each([
    '..%2f..%2f..%2fetc%2fpasswd',
    '%2e%2e/%2e%2e/etc/passwd',
    'assets/..%2f..%2f..%2fetc%2fpasswd.txt',
  ])('never serves a file outside the renderer: /%s', async (p) => {
    const response = await rawRequest(url(p), { headers: cookie() });
    expect(response.text).not.toContain('root:');
    if (response.status === 200) expect(response.text).toContain('<title>player</title>');
  });
});

describe.skipIf(noFfmpeg)('host, origin and CORS', () => {
  const auth = (): Record<string, string> => ({ Authorization: `Bearer ${node.token}` });

  it('403s a foreign Host header (DNS rebinding), even with the token', async () => {
    const response = await rawRequest(url('api/videos'), {
      headers: { ...auth(), Host: 'evil.example:1234' },
    });
    expect(response.status).toBe(403);
    expect(response.json<ApiError>().error.code).toBe('HOST_NOT_ALLOWED');
  });

  it('accepts localhost and 127.0.0.1 on any port', async () => {
    for (const host of ['localhost:9', '127.0.0.1:1']) {
      expect((await rawRequest(url('api/videos'), { headers: { ...auth(), Host: host } })).status).toBe(200);
    }
  });

  it('gives a foreign Origin no CORS headers and refuses it', async () => {
    const response = await rawRequest(url('api/videos'), { headers: { ...auth(), Origin: 'http://evil' } });
    expect(response.status).toBe(403);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
    expect(response.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('rejects CORS preflights, even from its own origin', async () => {
    const response = await rawRequest(url('api/videos'), {
      method: 'OPTIONS',
      headers: { Origin: new URL(node.url).origin, 'Access-Control-Request-Method': 'GET' },
    });
    expect(response.status).toBe(405);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('sets nosniff and no-referrer on every response, errors included', async () => {
    for (const response of [
      await rawRequest(url('api/videos'), { headers: auth() }),
      await rawRequest(url('api/videos')),
      await rawRequest(url('nope'), { headers: auth() }),
    ]) {
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['referrer-policy']).toBe('no-referrer');
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
    }
  });
});

describe.skipIf(noFfmpeg)('path traversal in names', () => {
  it.each(['..%2F..%2Fetc%2Fpasswd', '..%5C..%5Cwindows', 'a%00b', '%20lead'])(
    '400s video name %s, naming it',
    async (name) => {
      const response = await rawRequest(url(`api/videos/${name}/manifest`), {
        headers: { Authorization: `Bearer ${node.token}` },
      });
      expect(response.status).toBe(400);
      const error = response.json<ApiError>().error;
      expect(error.code).toBe('INVALID_NAME');
      expect(error.message).toContain(JSON.stringify(decodeURIComponent(name)));
    },
  );

  it('400s a traversal name in the HLS route too', async () => {
    const response = await rawRequest(url('hls/..%2F..%2Fetc%2Fpasswd.m3u8'), {
      headers: { Authorization: `Bearer ${node.token}` },
    });
    expect(response.status).toBe(400);
  });
});

describe.skipIf(noFfmpeg)('serveGatewayHttp', () => {
  it('listens on loopback by default and reports a port in use as PORT_IN_USE', async () => {
    const gateway = createGateway({ backend: node.backend, token: node.token, allowedHosts: ['127.0.0.1'] });
    const first = await serveGatewayHttp(gateway);
    try {
      expect(first.url).toBe(`http://127.0.0.1:${first.port}/`);
      const error = await serveGatewayHttp(gateway, { port: first.port }).catch((caught: unknown) => caught);
      expect(isPeerStreamerError(error, 'PORT_IN_USE')).toBe(true);
      expect((error as Error).message).toContain(String(first.port));
    } finally {
      await first.close();
    }
  });

  it('refuses a short token', () => {
    expect(() =>
      createGateway({ backend: node.backend, token: 'short', allowedHosts: ['127.0.0.1'] }),
    ).toThrow(/16/);
  });
});

describe.skipIf(noFfmpeg)('two gateways on one host', () => {
  it('name their cookies apart, so two nodes’ players on 127.0.0.1 do not log each other out', () => {
    const first = tokenCookieName('first-token-0123456789');
    const second = tokenCookieName('second-token-0123456789');
    expect(first).toMatch(/^ps_token_[0-9a-f]{12}$/);
    expect(first).not.toBe(second);
  });
});
