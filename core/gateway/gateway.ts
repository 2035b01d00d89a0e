import { Hono, type Context } from 'hono';
import type { Logger } from '../util/logger.js';
import type { Manifest } from '../shared/manifest.js';
import { PREFETCH_HEADER, PREFETCH_PURPOSE, type VideoLinkReply } from '../shared/api-types.js';
import { videoNameProblem } from '../shared/video-name.js';
import { chunkEntry, endIndex, firstIndex } from '../shared/segments.js';
import { PeerStreamerError } from '../util/errors.js';
import type { GatewayBackend, ReadOptions } from './backend.js';
import { liveUpdates } from './events-stream.js';
import { hlsPlaylist } from './hls.js';
import { BodyTooLargeError, isMutatingPath, mutationProblem, readJsonObject } from './mutations.js';
import { apiError, toHttpError, type HttpError } from './http-errors.js';
import {
  COMMON_HEADERS,
  PAGE_CSP,
  hostAllowed,
  offeredToken,
  originAllowed,
  ownOrigins,
  tokenCookie,
  tokenCookieName,
  tokenMatches,
  type Arrival,
  type OfferedToken,
} from './security.js';
import { loadStatic } from './static-files.js';
import { redactToken } from './token.js';
import { TOKEN_PAGE_CSP, tokenPage, wantsHtml, type TokenProblem } from './token-page.js';

export interface GatewayOptions {
  backend: GatewayBackend;
  /** Random per-run secret; every request must carry it (header, cookie or query). */
  token: string;
  /** Host names (any port) or exact host:port values the Host header may carry. */
  allowedHosts: string[];
  /** The built renderer (index.html + assets/); omitted for an API-only gateway. */
  staticDir?: string;
  logger?: Logger;
  /** Interval of SSE comment lines; default 15 s. */
  keepaliveMs?: number;
}

export interface Gateway {
  /**
   * `arrival`: the scheme and port the server accepted the request on, which fix the one origin a
   * page of ours can have. Without it the request URL's stand in: right for Electron's protocol
   * handler, which builds that URL itself; serveGatewayHttp passes the port it listens on.
   */
  fetch(request: Request, arrival?: Arrival): Promise<Response>;
}

type Env = { Variables: { offered: OfferedToken }; Bindings: { arrival: Arrival } };

/** Built chunks and init segments are content-addressed by the manifest, so they never change. */
const IMMUTABLE = 'private, max-age=31536000, immutable';

/**
 * The player's whole API as one web-standard handler, so Electron's protocol.handle and a loopback
 * HTTP server serve exactly the same thing.
 */
export function createGateway(options: GatewayOptions): Gateway {
  if (options.token.length < 16) {
    throw new PeerStreamerError('INVALID_ARGUMENT', 'The gateway token must be at least 16 characters.', {});
  }
  const { backend } = options;
  const app = new Hono<Env>();

  app.onError((error, c) => {
    const http = error instanceof BodyTooLargeError ? error.http : toHttpError(error);
    if (http.status >= 500) options.logger?.warn({ err: error, path: c.req.path }, 'gateway request failed');
    return sendError(c, http);
  });
  app.notFound((c) =>
    sendError(c, apiError(404, 'NOT_FOUND', `No route for ${c.req.method} ${c.req.path}.`)),
  );

  app.use('*', async (c, next) => {
    const rejected = guard(c, options);
    if (rejected !== undefined) return rejected;
    await next();
  });

  app.get('/api/videos', async (c) => c.json(await backend.listVideos()));

  app.get('/api/videos/:name/manifest', async (c) => {
    const manifest = await backend.getManifest(videoName(c.req.param('name')));
    // A live stream's manifest grows every chunk and its player re-reads it: never a cached copy.
    return manifest.kind === 'fmp4' && manifest.live !== undefined
      ? c.json(manifest, 200, { 'Cache-Control': 'no-store' })
      : c.json(manifest);
  });

  const serveInit = async (c: Context<Env>, rawName: string): Promise<Response> => {
    const name = videoName(rawName);
    const manifest = await backend.getManifest(name);
    if (manifest.kind !== 'fmp4') throw legacyError(name, 'has no init segment');
    const etag = `"${manifest.init.sha256}"`;
    if (c.req.header('if-none-match') === etag) return c.body(null, 304, { ETag: etag });
    const bytes = await backend.getInit(name, c.req.raw.signal, readOptions(c));
    return c.body(toBody(bytes), 200, {
      'Content-Type': baseMimeType(manifest),
      'Cache-Control': IMMUTABLE,
      ETag: etag,
    });
  };

  const serveChunk = async (c: Context<Env>, rawName: string, rawIndex: string): Promise<Response> => {
    const name = videoName(rawName);
    const index = chunkIndex(rawIndex);
    const manifest = await backend.getManifest(name);
    // By index: a live stream's list starts where its window has moved to.
    const entry = chunkEntry(manifest, index);
    if (entry === undefined) {
      throw new PeerStreamerError(
        'CHUNK_NOT_FOUND',
        `Video "${name}" lists ${manifest.chunks.length} chunks (${firstIndex(manifest.chunks)}-${endIndex(manifest.chunks) - 1}); there is no chunk ${index}.`,
        { name, index },
      );
    }
    const etag = `"${entry.sha256}"`;
    if (c.req.header('if-none-match') === etag) return c.body(null, 304, { ETag: etag });
    const chunk = await backend.getChunk(name, index, c.req.raw.signal, readOptions(c));
    return c.body(toBody(chunk.bytes), 200, {
      'Content-Type': baseMimeType(manifest),
      'Cache-Control': IMMUTABLE,
      ETag: etag,
      'X-PeerStreamer-Origin': chunk.origin,
    });
  };

  /**
   * A video's poster. With `?v=<sha256>` (what the library entry gives) the URL names exactly one
   * image, so it is cached for good; without it the browser revalidates by ETag. A video without a
   * poster, or one this node cannot get now, is a 404 the card answers with its placeholder.
   */
  app.get('/api/videos/:name/poster', async (c) => {
    const name = videoName(c.req.param('name'));
    const manifest = await backend.getManifest(name);
    const ref = manifest.kind === 'fmp4' ? manifest.poster : undefined;
    if (ref === undefined) {
      return sendError(
        c,
        apiError(
          404,
          'POSTER_NOT_FOUND',
          `Video "${name}" has no poster (it was added before posters, or has no picture).`,
        ),
      );
    }
    const etag = `"${ref.sha256}"`;
    const cacheControl = c.req.query('v') === ref.sha256 ? IMMUTABLE : 'private, no-cache';
    if (c.req.header('if-none-match') === etag) {
      return c.body(null, 304, { ETag: etag, 'Cache-Control': cacheControl });
    }
    const poster = await backend.getPoster(name, c.req.raw.signal);
    if (poster === null) {
      return sendError(
        c,
        apiError(
          404,
          'POSTER_NOT_FOUND',
          `The poster of "${name}" is not available from this node or its master right now.`,
        ),
      );
    }
    return c.body(toBody(poster.bytes), 200, {
      'Content-Type': poster.ref.mimeType,
      'Cache-Control': cacheControl,
      ETag: etag,
    });
  });

  /** Built on each ask: the source's address is found by walking up the masters, which may change. */
  app.get('/api/videos/:name/link', async (c) => {
    const link = await backend.videoLink(videoName(c.req.param('name')));
    return c.json({ link } satisfies VideoLinkReply, 200, { 'Cache-Control': 'no-store' });
  });

  /** A link the user pasted or clicked, read by the node's own parser (the renderer has no key checks). */
  app.get('/api/link', async (c) => {
    const text = c.req.query('text');
    if (text === undefined || text.trim() === '') {
      throw new PeerStreamerError(
        'INVALID_ARGUMENT',
        'No link given: ask api/link?text=<the peerstreamer:// link, percent-encoded>.',
        {},
      );
    }
    return c.json(await backend.checkLink(text), 200, { 'Cache-Control': 'no-store' });
  });

  app.get('/api/videos/:name/init', (c) => serveInit(c, c.req.param('name')));
  app.get('/api/videos/:name/chunks/:index', (c) => serveChunk(c, c.req.param('name'), c.req.param('index')));

  // A node's own live streams ("Go live…" in the app). The only routes that change anything: they
  // pass the mutation checks in guard() (mutations.ts) and read a bounded JSON body.
  app.get('/api/live', async (c) =>
    c.json(await backend.liveSessions(), 200, { 'Cache-Control': 'no-store' }),
  );
  app.post('/api/live', async (c) =>
    c.json(await backend.startLive(await readJsonObject(c.req.raw)), 200, { 'Cache-Control': 'no-store' }),
  );
  app.post('/api/live/:name/stop', async (c) => {
    const name = videoName(c.req.param('name'));
    const body = await readJsonObject(c.req.raw, { emptyIs: {} });
    // The path names the stream; a `name` in the body cannot point the stop elsewhere.
    return c.json(await backend.stopLive({ ...body, name }), 200, { 'Cache-Control': 'no-store' });
  });

  app.get('/api/stats', async (c) => c.json(await backend.stats(), 200, { 'Cache-Control': 'no-store' }));
  app.get('/api/topology', async (c) =>
    c.json(await backend.topology(), 200, { 'Cache-Control': 'no-store' }),
  );
  app.get('/api/events', (c) => liveUpdates(c, backend, options.keepaliveMs ?? 15_000));

  app.get('/hls/:file', async (c) => {
    const file = c.req.param('file');
    if (!file.endsWith('.m3u8')) {
      return sendError(c, apiError(404, 'NOT_FOUND', `HLS playlists are named <video>.m3u8, not "${file}".`));
    }
    const name = videoName(file.slice(0, -'.m3u8'.length));
    const manifest = await backend.getManifest(name);
    if (manifest.kind !== 'fmp4') throw legacyError(name, 'cannot be played over HLS');
    const offered = c.get('offered');
    // A browser holds the cookie; an external player holds only the URL, so each URI carries the token.
    const token = offered.via === 'cookie' ? undefined : offered.value;
    return c.body(hlsPlaylist(manifest, token), 200, {
      'Content-Type': 'application/vnd.apple.mpegurl',
      'Cache-Control': 'no-store',
    });
  });

  // The same bytes under names with media extensions: Debian's ffmpeg (like newer upstream) refuses
  // HLS segments whose URL does not end in a known media extension.
  app.get('/hls/:name/init.mp4', (c) => serveInit(c, c.req.param('name')));
  app.get('/hls/:name/:segment', (c) => {
    const segment = c.req.param('segment');
    if (!segment.endsWith('.m4s')) {
      return sendError(
        c,
        apiError(404, 'NOT_FOUND', `HLS segments are named <index>.m4s, not "${segment}".`),
      );
    }
    return serveChunk(c, c.req.param('name'), segment.slice(0, -'.m4s'.length));
  });

  app.all('/api/*', (c) =>
    sendError(c, apiError(404, 'NOT_FOUND', `No API route for ${c.req.method} ${c.req.path}.`)),
  );

  const staticDir = options.staticDir;
  if (staticDir !== undefined) {
    app.get('*', async (c) => {
      const file = await loadStatic(staticDir, c.req.path);
      if (file === undefined) return c.notFound();
      const headers: Record<string, string> = {
        'Content-Type': file.contentType,
        'Cache-Control': file.immutable ? IMMUTABLE : 'no-cache',
      };
      if (file.isHtml) headers['Content-Security-Policy'] = PAGE_CSP;
      return c.body(toBody(file.bytes), 200, headers);
    });
  }

  const logger = options.logger;
  return {
    async fetch(request: Request, arrival?: Arrival): Promise<Response> {
      const started = performance.now();
      const response = await app.fetch(request, { arrival: arrival ?? arrivalFromUrl(request.url) });
      for (const [header, value] of Object.entries(COMMON_HEADERS)) response.headers.set(header, value);
      // Debug only: a playing video asks for a chunk every few seconds. The URL may carry the token
      // (links, external players), and a log is no place for it.
      if (logger?.isLevelEnabled('debug')) {
        logger.debug(
          {
            method: request.method,
            url: redactToken(pathAndQuery(request.url)),
            status: response.status,
            ms: Math.round(performance.now() - started),
          },
          'gateway request',
        );
      }
      return response;
    },
  };
}

function arrivalFromUrl(url: string): Arrival {
  const parsed = new URL(url);
  return { protocol: parsed.protocol, port: parsed.port === '' ? null : Number(parsed.port) };
}

/** The part of a URL that names the request; scheme and host are the same on every line. */
function pathAndQuery(url: string): string {
  const parsed = new URL(url);
  return parsed.pathname + parsed.search;
}

/**
 * Every request passes here first: Host (DNS rebinding), Origin (other sites and other local
 * programs: exactly our own scheme, host and port), method (no CORS preflights; read-only but for
 * the few routes in mutations.ts), then the token, and for a change the stricter checks there. A page load with ?token= trades it for a cookie and a
 * redirect, so the token leaves the address bar and history.
 */
function guard(c: Context<Env>, options: GatewayOptions): Response | undefined {
  const host = c.req.header('host') ?? new URL(c.req.url).host;
  if (!hostAllowed(options.allowedHosts, host)) {
    return sendError(
      c,
      apiError(
        403,
        'HOST_NOT_ALLOWED',
        `Host "${host}" is not one this node answers to; use the URL it printed.`,
      ),
    );
  }
  // No Origin is no cross-origin fetch: players (VLC, mpv), curl, and a browser's own page loads
  // send none, and the token still guards them.
  const origin = c.req.header('origin');
  if (origin !== undefined) {
    const own = ownOrigins(options.allowedHosts, c.env.arrival);
    if (!originAllowed(own, origin)) {
      return sendError(
        c,
        apiError(
          403,
          'ORIGIN_NOT_ALLOWED',
          `Origin ${JSON.stringify(origin)} is not this node's own (${own.join(', ')}); only the player this node serves may call it. Open the URL it printed.`,
        ),
      );
    }
  }
  if (c.req.method === 'OPTIONS') {
    return sendError(c, apiError(405, 'METHOD_NOT_ALLOWED', 'Cross-origin requests are not supported.'), {
      Allow: 'GET, HEAD',
    });
  }
  const url = new URL(c.req.url);
  const mutating = c.req.method === 'POST' && isMutatingPath(url.pathname);
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD' && !mutating) {
    return sendError(
      c,
      apiError(
        405,
        'METHOD_NOT_ALLOWED',
        `${c.req.method} is not supported here; the API is read-only but for POST api/live and api/live/<name>/stop.`,
      ),
      {
        Allow: 'GET, HEAD',
      },
    );
  }
  const offered = offeredToken(c.req.raw, url, tokenCookieName(options.token));
  if (offered.via === 'none') {
    if (wantsHtml(c.req.header('accept'))) return sendTokenPage(c, 'TOKEN_REQUIRED');
    return sendError(
      c,
      apiError(401, 'TOKEN_REQUIRED', 'This node needs its access token: open the URL it printed.'),
    );
  }
  if (!tokenMatches(options.token, offered.value)) {
    if (wantsHtml(c.req.header('accept'))) return sendTokenPage(c, 'TOKEN_INVALID');
    return sendError(
      c,
      apiError(
        401,
        'TOKEN_INVALID',
        'The access token is wrong (the node makes a new one each run): open the URL it printed.',
      ),
    );
  }
  c.set('offered', offered);
  if (mutating) {
    const problem = mutationProblem(c.req.raw, offered, origin);
    if (problem !== null) return sendError(c, problem);
  }
  const isPage = !url.pathname.startsWith('/api/') && !url.pathname.startsWith('/hls/');
  if (offered.via === 'query' && isPage && options.staticDir !== undefined) {
    url.searchParams.delete('token');
    const location = url.pathname + (url.searchParams.size > 0 ? `?${url.searchParams.toString()}` : '');
    return c.body(null, 303, {
      Location: location,
      'Set-Cookie': tokenCookie(options.token),
      'Cache-Control': 'no-store',
    });
  }
  return undefined;
}

/** The player marks requests that only warm its cache (see ReadOptions). */
function readOptions(c: Context<Env>): ReadOptions {
  return { prefetch: c.req.header(PREFETCH_HEADER) === PREFETCH_PURPOSE };
}

/** A person in a browser without the token gets words and the way in, not a JSON error. */
function sendTokenPage(c: Context, problem: TokenProblem): Response {
  return c.html(tokenPage(problem), 401, {
    'Content-Security-Policy': TOKEN_PAGE_CSP,
    'Cache-Control': 'no-store',
  });
}

function sendError(c: Context, error: HttpError, headers: Record<string, string> = {}): Response {
  return c.json(error.body, error.status, { 'Cache-Control': 'no-store', ...headers });
}

function videoName(raw: string): string {
  const problem = videoNameProblem(raw);
  if (problem !== null) {
    throw new PeerStreamerError(
      'INVALID_NAME',
      `Video name ${JSON.stringify(raw)} is not allowed: ${problem}.`,
      {
        name: raw,
      },
    );
  }
  return raw;
}

function chunkIndex(raw: string): number {
  if (!/^(0|[1-9][0-9]{0,8})$/.test(raw)) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `Chunk index ${JSON.stringify(raw)} is not a non-negative integer.`,
      { index: raw },
    );
  }
  return Number(raw);
}

function legacyError(name: string, what: string): PeerStreamerError {
  return new PeerStreamerError(
    'LEGACY_FORMAT',
    `Video "${name}" came from the original system as byte-split chunks, not fMP4 segments, so it ${what}. Export it to a file with \`peerstreamer export\`, or re-ingest the original video.`,
    { name },
  );
}

/** `video/mp4; codecs="..."` -> `video/mp4`: the codecs parameter is for MediaSource, not for HTTP. */
function baseMimeType(manifest: Manifest): string {
  return manifest.kind === 'fmp4'
    ? (manifest.mimeType.split(';')[0]?.trim() ?? 'video/mp4')
    : 'application/octet-stream';
}

/** Hono's body type wants an ArrayBuffer-backed view; Buffers from the store are that already. */
function toBody(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}
