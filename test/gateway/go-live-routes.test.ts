/**
 * Going live through the gateway (the app's "Go live…"), on a real peer node with its NodeBackend and
 * real ffmpeg: POST api/live starts a test pattern, GET api/live and the library list it, POST
 * api/live/<name>/stop ends it and keeps its recording. Every bad input is a 4xx with one message
 * naming the field and what to do, the node serving on after each; and the routes that change
 * something are refused without the token in a header or cookie, from another origin, or as a form.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiError, LibraryEntry, LiveSessionView, StopLiveReply } from '../../core/shared/api-types.js';
import { tokenCookieName } from '../../core/gateway/security.js';
import { MAX_BODY_BYTES } from '../../core/gateway/mutations.js';
import { lacks, requires } from '../helpers/requirements.js';
import { cleanupTempDirs, tempDir } from '../helpers/temp-dirs.js';
import { waitFor } from '../helpers/wait.js';
import { startLiveNode, type LiveNode } from './fixtures/live-node.js';
import { startSourceNode } from './fixtures/source-node.js';

let live: LiveNode;

beforeAll(async () => {
  live = await startLiveNode();
}, 60_000);

afterAll(async () => {
  await live?.close();
  cleanupTempDirs();
});

const JSON_TYPE = { 'Content-Type': 'application/json' };

function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${live.url}${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${live.token}`, ...JSON_TYPE, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function get<T>(path: string): Promise<T> {
  const response = await fetch(`${live.url}${path}`, { headers: { Authorization: `Bearer ${live.token}` } });
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

async function refusal(response: Response, status: number): Promise<ApiError['error']> {
  const body = (await response.json()) as ApiError;
  expect({ status: response.status, code: body.error.code }).toMatchObject({ status });
  return body.error;
}

/** The node still answers after a refusal: stats and the library, as the player asks for them. */
async function stillServing(): Promise<void> {
  await get('api/stats');
  await get('api/videos');
}

const goLive = (fields: Record<string, unknown>) =>
  post('api/live', { name: 'cam', input: 'testsrc:320x180@15', loop: false, window: 0, ...fields });

describe('the go-live routes refuse bad input with one message naming the field', () => {
  const cases: Array<{ what: string; fields: Record<string, unknown>; status: number; says: RegExp }> = [
    {
      what: 'an unknown input kind',
      fields: { input: 'webcam:0' },
      status: 400,
      says: /live input "webcam:0" is not a live input this node knows; give one of testsrc/,
    },
    {
      what: 'an odd picture size',
      fields: { input: 'testsrc:641x360' },
      status: 400,
      says: /live input width 641 is not valid; use an even number of pixels/,
    },
    {
      what: 'a picture too large',
      fields: { input: 'testsrc:8000x360' },
      status: 400,
      says: /live input width 8000 is not valid; use a whole number from 16 to 3840/,
    },
    {
      what: 'a window out of range',
      fields: { window: 86_401 },
      status: 400,
      says: /^go live: field "window" must be an integer from 0 to 86400; got 86401$/,
    },
    {
      what: 'a window in fractions',
      fields: { window: 1.5 },
      status: 400,
      says: /field "window" must be an integer/,
    },
    {
      what: 'loop missing',
      fields: { loop: undefined },
      status: 400,
      says: /field "loop" must be true or false; got undefined/,
    },
    {
      what: 'loop on a test pattern',
      fields: { loop: true },
      status: 400,
      says: /cannot loop: only a file input plays again from its start/,
    },
    {
      what: 'a bad name',
      fields: { name: '../etc' },
      status: 400,
      says: /field "name" must be a valid video name/,
    },
    {
      what: 'a relative file',
      fields: { input: 'file:talk.mp4' },
      status: 400,
      says: /not an absolute path; .*give the full path/,
    },
    {
      what: 'a file that is not there',
      fields: { input: `file:${tempDir('go-live-missing')}/nothing-here.mp4` },
      status: 404,
      says: /nothing-here\.mp4 does not exist; check the path/,
    },
    {
      what: 'a camera path that is not absolute',
      fields: { input: 'v4l2:video0' },
      status: 400,
      says: /live input device "video0" is not valid; give the absolute path of a capture device/,
    },
    {
      what: 'an SRT listener without a port',
      fields: { input: 'srt://0.0.0.0' },
      status: 400,
      says: /an SRT listener needs a port/,
    },
  ];

  for (const { what, fields, status, says } of cases) {
    it(`${what}: ${status}`, async () => {
      const error = await refusal(await goLive(fields), status);
      expect(error.message).toMatch(says);
      await stillServing();
    }, 30_000);
  }

  it('a body that is not JSON, or not an object, names the body and shows the shape', async () => {
    const notJson = await refusal(await post('api/live', '{name: cam'), 400);
    expect(notJson.message).toMatch(
      /^The request body is not JSON \(.*\); send one JSON object of fields, e\.g\./,
    );
    const array = await refusal(await post('api/live', '[1, 2]'), 400);
    expect(array.message).toBe('The request body must be a JSON object of fields; got an array.');
    const empty = await refusal(await post('api/live', ''), 400);
    expect(empty.message).toMatch(/not JSON/);
    await stillServing();
  });

  it('a body past the bound is 413, however it is sent', async () => {
    const big = JSON.stringify({ name: 'cam', input: `file:/${'x'.repeat(MAX_BODY_BYTES)}` });
    expect((await refusal(await post('api/live', big), 413)).code).toBe('BODY_TOO_LARGE');
    // Streamed, with no Content-Length to go by.
    const streamed = await fetch(`${live.url}api/live`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${live.token}`, ...JSON_TYPE },
      body: new Blob([big]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect((await refusal(streamed, 413)).code).toBe('BODY_TOO_LARGE');
    await stillServing();
  });

  it('stopping a stream that is not there names the stream', async () => {
    const error = await refusal(await post('api/live/nope/stop', {}), 404);
    expect(error.message).toMatch(/no live stream named "nope" on this node/);
    const keep = await refusal(await post('api/live/nope/stop', { keep: '' }), 400);
    expect(keep.message).toMatch(/^stop the live stream: field "keep" must be a valid video name/);
  });
});

describe('the routes that change something are guarded harder than reads', () => {
  const body = JSON.stringify({ name: 'guarded', input: 'testsrc', loop: false, window: 0 });
  const send = (headers: Record<string, string>, url = `${live.url}api/live`, method = 'POST') =>
    fetch(url, { method, headers, body });
  const cookie = () => `${tokenCookieName(live.token)}=${encodeURIComponent(live.token)}`;

  it('refuses no token, a wrong token and a token in the URL', async () => {
    expect((await refusal(await send(JSON_TYPE), 401)).code).toBe('TOKEN_REQUIRED');
    expect((await refusal(await send({ ...JSON_TYPE, Authorization: 'Bearer wrong' }), 401)).code).toBe(
      'TOKEN_INVALID',
    );
    const inUrl = await refusal(await send(JSON_TYPE, live.withToken('api/live')), 403);
    expect(inUrl.code).toBe('TOKEN_IN_URL');
    expect(inUrl.message).toMatch(/Authorization header .* not in the URL/);
  });

  it('refuses the cookie without an Origin, and any Origin but its own', async () => {
    const noOrigin = await refusal(await send({ ...JSON_TYPE, Cookie: cookie() }), 403);
    expect(noOrigin.code).toBe('ORIGIN_REQUIRED');
    const foreign = await refusal(
      await send({ ...JSON_TYPE, Cookie: cookie(), Origin: 'http://evil.example' }),
      403,
    );
    expect(foreign.code).toBe('ORIGIN_NOT_ALLOWED');
    const otherPort = await refusal(
      await send({ ...JSON_TYPE, Authorization: `Bearer ${live.token}`, Origin: 'http://127.0.0.1:1' }),
      403,
    );
    expect(otherPort.code).toBe('ORIGIN_NOT_ALLOWED');
  });

  it('refuses what a cross-site form can send: no JSON content type', async () => {
    const form = await refusal(
      await send({
        'Content-Type': 'application/x-www-form-urlencoded',
        Authorization: `Bearer ${live.token}`,
      }),
      415,
    );
    expect(form.message).toMatch(/Content-Type: application\/json; got "application\/x-www-form-urlencoded"/);
    const plain = await refusal(
      await send({ 'Content-Type': 'text/plain', Cookie: cookie(), Origin: live.url.slice(0, -1) }),
      415,
    );
    expect(plain.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuses other methods and POST elsewhere, and preflights', async () => {
    const auth = { ...JSON_TYPE, Authorization: `Bearer ${live.token}` };
    expect((await refusal(await send(auth, `${live.url}api/live`, 'PUT'), 405)).code).toBe(
      'METHOD_NOT_ALLOWED',
    );
    expect((await refusal(await send(auth, `${live.url}api/videos`), 405)).code).toBe('METHOD_NOT_ALLOWED');
    const preflight = await fetch(`${live.url}api/live`, { method: 'OPTIONS' });
    expect(preflight.status).toBe(405);
    expect(await get<LiveSessionView[]>('api/live')).not.toContainEqual(
      expect.objectContaining({ name: 'guarded' }),
    );
  });

  it('lets the player’s own page through: cookie, own Origin, JSON (what the browser test does for real)', async () => {
    const response = await send(
      {
        ...JSON_TYPE,
        Cookie: cookie(),
        Origin: live.url.slice(0, -1),
      },
      `${live.url}api/live/nothing-running/stop`,
    );
    // Past every guard: the backend's own answer.
    expect((await refusal(response, 404)).code).toBe('VIDEO_NOT_FOUND');
  });
});

describe('a store with no node behind it', () => {
  it('answers go live with what to run instead', async () => {
    const source = await startSourceNode({ videos: [] });
    try {
      const response = await fetch(`${source.url}api/live`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${source.token}`, ...JSON_TYPE },
        body: JSON.stringify({ name: 'cam', input: 'testsrc', loop: false, window: 0 }),
      });
      const error = await refusal(response, 503);
      expect(error.message).toMatch(
        /no node running on it: start one \(`peerstreamer node --store <dir> --ui`\)/,
      );
      const sessions = await fetch(`${source.url}api/live`, {
        headers: { Authorization: `Bearer ${source.token}` },
      });
      expect(await sessions.json()).toEqual([]);
    } finally {
      await source.close();
    }
  });
});

describe.skipIf(lacks(requires.ffmpeg))('going live on a test pattern and stopping it', () => {
  it('starts, lists, refuses the taken name, stops and keeps the recording', async () => {
    const started = await post('api/live', {
      name: 'Morning show',
      input: 'testsrc:320x180@15',
      loop: false,
      window: 0,
    });
    expect(started.status).toBe(200);
    const session = (await started.json()) as LiveSessionView;
    expect(session).toMatchObject({ name: 'Morning show', input: expect.stringContaining('test pattern') });
    expect(['starting', 'live']).toContain(session.state);

    await waitFor(
      async () => {
        const library = await get<LibraryEntry[]>('api/videos');
        const entry = library.find((video) => video.name === 'Morning show');
        return entry?.live?.state === 'live' && entry.chunks >= 2;
      },
      'the stream in the library, live, with two chunks',
      60_000,
    );
    expect(await get<LiveSessionView[]>('api/live')).toEqual([
      expect.objectContaining({ name: 'Morning show', state: 'live' }),
    ]);

    const taken = await refusal(
      await post('api/live', { name: 'Morning show', input: 'testsrc', loop: false, window: 0 }),
      409,
    );
    expect(taken.code).toBe('VIDEO_EXISTS');
    expect(taken.message).toMatch(/"Morning show" is already running on this node/);

    const keptTaken = await refusal(
      await post(`api/live/${encodeURIComponent('Morning show')}/stop`, { keep: 'Morning show' }),
      409,
    );
    expect(keptTaken.message).toMatch(/that name is taken on this node. Nothing was stopped/);

    const stopped = await post(`api/live/${encodeURIComponent('Morning show')}/stop`, {
      keep: 'Morning show (recording)',
      // The path names the stream; a name here cannot send the stop elsewhere.
      name: 'something else',
    });
    expect(stopped.status).toBe(200);
    const reply = (await stopped.json()) as StopLiveReply;
    expect(reply.session).toMatchObject({ name: 'Morning show', state: 'stopped' });
    expect(reply.kept).toMatchObject({ name: 'Morning show (recording)' });
    expect(reply.kept!.chunks).toBeGreaterThanOrEqual(2);

    expect(await get<LiveSessionView[]>('api/live')).toEqual([
      expect.objectContaining({ name: 'Morning show', state: 'stopped' }),
    ]);
    const library = await get<LibraryEntry[]>('api/videos');
    expect(library.find((video) => video.name === 'Morning show')?.live?.state).toBe('ended');
    expect(library.find((video) => video.name === 'Morning show (recording)')?.live).toBeUndefined();
  }, 120_000);
});
