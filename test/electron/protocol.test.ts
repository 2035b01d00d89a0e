import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { protocol, resetElectronFake } from '../mocks/electron.js';
import { createGateway, type Gateway } from '../../core/gateway/gateway.js';
import { PAGE_CSP } from '../../core/gateway/security.js';
import { OfflineBackend } from '../../electron/offline-backend.js';

vi.mock('electron', () => import('../mocks/electron.js'));

const { createProtocolHandler, registerAppScheme } = await import('../../electron/app-protocol.js');

const TOKEN = 'a-per-run-token-of-enough-length';

/** Records what reaches the gateway. */
function recordingGateway(): Gateway & { seen: Request[] } {
  const seen: Request[] = [];
  return {
    seen,
    async fetch(request) {
      seen.push(request);
      return new Response('{"ok":true}', { headers: { 'Content-Type': 'application/json' } });
    },
  };
}

describe('app scheme', () => {
  it('is registered privileged, secure, standard, fetch-able and streaming', () => {
    resetElectronFake();
    registerAppScheme(protocol);
    expect(protocol.privileged).toEqual([
      {
        scheme: 'peerstreamer',
        privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true },
      },
    ]);
  });
});

describe('protocol handler', () => {
  it('routes peerstreamer://app requests to the gateway with the token the renderer never sees', async () => {
    const gateway = recordingGateway();
    const handle = createProtocolHandler({ gateway: () => gateway, token: TOKEN });
    const response = await handle(new Request('peerstreamer://app/api/videos?x=1'));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    const forwarded = gateway.seen[0]!;
    expect(forwarded.url).toBe('peerstreamer://app/api/videos?x=1');
    expect(forwarded.headers.get('authorization')).toBe(`Bearer ${TOKEN}`);
    expect(forwarded.headers.get('host')).toBe('app');
    expect(response.headers.get('content-security-policy')).toBe(PAGE_CSP);
  });

  it('passes request bodies through (settings saves, if the gateway ever takes them)', async () => {
    const gateway = recordingGateway();
    const handle = createProtocolHandler({ gateway: () => gateway, token: TOKEN });
    await handle(new Request('peerstreamer://app/api/x', { method: 'PUT', body: '{"a":1}' }));
    expect(await gateway.seen[0]!.text()).toBe('{"a":1}');
  });

  it.each([
    ['https://app/api/videos', 400, 'SCHEME_NOT_ALLOWED'],
    ['file:///etc/passwd', 400, 'SCHEME_NOT_ALLOWED'],
    ['peerstreamer://evil/api/videos', 403, 'HOST_NOT_ALLOWED'],
    ['peerstreamer://app.evil.example/', 403, 'HOST_NOT_ALLOWED'],
    ['peerstreamer://app:8080/', 403, 'HOST_NOT_ALLOWED'],
  ])('rejects %s without reaching the gateway', async (url, status, code) => {
    const gateway = recordingGateway();
    const handle = createProtocolHandler({ gateway: () => gateway, token: TOKEN });
    const response = await handle(new Request(url));
    expect(response.status).toBe(status);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(code);
    expect(response.headers.get('content-security-policy')).toBe(PAGE_CSP);
    expect(gateway.seen).toHaveLength(0);
  });

  it('answers 503 in words while no gateway is up', async () => {
    const handle = createProtocolHandler({ gateway: () => null, token: TOKEN });
    const response = await handle(new Request('peerstreamer://app/api/videos'));
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/not running/);
  });

  describe('over the real gateway', () => {
    let dir: string;
    let handle: (request: Request) => Promise<Response>;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'ps-protocol-'));
      await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>player</title>');
      const gateway = createGateway({
        backend: new OfflineBackend('its port 7780 is in use.'),
        token: TOKEN,
        allowedHosts: ['app'],
        staticDir: dir,
      });
      handle = createProtocolHandler({ gateway: () => gateway, token: TOKEN });
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it('serves the player page with the CSP, and API errors while the node is down', async () => {
      const page = await handle(new Request('peerstreamer://app/index.html'));
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<title>player</title>');
      expect(page.headers.get('content-security-policy')).toBe(PAGE_CSP);
      const api = await handle(new Request('peerstreamer://app/api/videos'));
      expect(api.status).toBeGreaterThanOrEqual(500);
      expect(((await api.json()) as { error: { message: string } }).error.message).toMatch(
        /port 7780 is in use.*Settings/,
      );
    });

    it('lets the page go live through it (its own Origin, JSON), and refuses another origin', async () => {
      const goLive = (origin: string) =>
        handle(
          new Request('peerstreamer://app/api/live', {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Origin: origin },
            body: JSON.stringify({ name: 'cam', input: 'testsrc', loop: false, window: 0 }),
          }),
        );
      // Past the gateway's guards to the backend: here the offline one, in its words.
      const own = await goLive('peerstreamer://app');
      expect(own.status).toBe(503);
      expect(((await own.json()) as { error: { message: string } }).error.message).toMatch(/not running/);
      const foreign = await goLive('https://evil.example');
      expect(foreign.status).toBe(403);
      expect(((await foreign.json()) as { error: { code: string } }).error.code).toBe('ORIGIN_NOT_ALLOWED');
    });

    it('a request without our handler (no token) is refused by the gateway itself', async () => {
      // Belt and braces: even if something reached the gateway around the protocol handler.
      const gateway = createGateway({
        backend: new OfflineBackend('x'),
        token: TOKEN,
        allowedHosts: ['app'],
        staticDir: dir,
      });
      const response = await gateway.fetch(new Request('peerstreamer://app/api/videos'));
      expect(response.status).toBe(401);
    });
  });
});
