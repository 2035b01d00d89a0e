/**
 * A running node's control socket under hostile or broken clients: every bad line gets a coded error
 * line and a closed connection, the node keeps serving the swarm and the CLI, and the store keeps
 * exactly what it had.
 */
import net from 'node:net';
import { once } from 'node:events';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectToNode } from '../../core/control/client.js';
import { ControlServer } from '../../core/control/server.js';
import { TOKEN_FILE } from '../../core/control/token.js';
import { nodeControlHandlers } from '../../core/node/control-handlers.js';
import type { PeerNode } from '../../core/node/peer-node.js';
import { PeerClient } from '../../core/net/client.js';
import { silentLogger } from '../../core/util/logger.js';
import { Fixture, exchange, request, storeWith } from './helpers.js';
import { slowClip, smallClip } from '../helpers/media-fixtures.js';
import { lacks, requires } from '../helpers/requirements.js';
import { waitFor } from '../helpers/wait.js';

const noFfmpeg = lacks(requires.ffmpeg);

const fixture = new Fixture();
let node: PeerNode;
let store: string;
let socketPath: string;

beforeAll(async () => {
  store = fixture.dir('store');
  await storeWith(store, 'movie', (await smallClip()).path);
  node = await fixture.node('source', store);
  socketPath = node.control!.socketPath;
}, 60_000);
afterAll(() => fixture.cleanup());

/**
 * A request line with the token of the store's running node: optional on a Unix socket, required on
 * Windows' named pipe, so these hostile lines reach the checks they are aimed at on either.
 */
function signed(value: object, dir = store): string {
  return request({ ...value, token: readFileSync(path.join(dir, TOKEN_FILE), 'utf8').trim() });
}

function parsed(lines: string[]): Array<Record<string, unknown>> {
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The node still answers its peers and its CLI, and the store holds what it held, all verified. */
async function assertNodeHealthy(): Promise<void> {
  const peers = new PeerClient({ timeoutMs: 2_000 });
  try {
    const { reply } = await peers.request(node.address, { type: 'list-videos' });
    expect(reply.videos.map((video) => video.name)).toEqual(['movie']);
  } finally {
    await peers.close();
  }
  const videos = await (await connectToNode(store))!.ls();
  expect(videos.map((video) => [video.name, video.pinned, video.chunksHeld])).toEqual([
    ['movie', true, videos[0]!.manifest.chunks.length],
  ]);
  const report = await (await connectToNode(store))!.verify();
  expect(report.problems).toEqual([]);
  expect(report.notHeld).toEqual([]);
}

describe.skipIf(noFfmpeg)('bad lines', () => {
  const cases: Array<[string, string, string | Buffer | (() => string), RegExp]> = [
    ['garbage', 'BAD_REQUEST', 'GET / HTTP/1.1\r\n\r\n', /not JSON/],
    ['binary noise', 'BAD_REQUEST', Buffer.from([0xff, 0x00, 0x13, 0x37, 0x0a]), /not UTF-8/],
    [
      'an unknown version',
      'UNSUPPORTED_VERSION',
      () => signed({ v: 99, type: 'ls' }),
      /version 99.*version 1/,
    ],
    ['an unknown command', 'UNKNOWN_COMMAND', () => signed({ v: 1, type: 'rm', name: 'movie' }), /"rm"/],
    [
      'bad arguments',
      'BAD_REQUEST',
      () => signed({ v: 1, type: 'export', name: 'movie', fromChunk: 'all' }),
      /"fromChunk"/,
    ],
    [
      'a relative path',
      'BAD_REQUEST',
      () => signed({ v: 1, type: 'add', file: 'x.mp4', replace: false }),
      /"file"/,
    ],
    [
      'two requests at once',
      'BAD_REQUEST',
      () => signed({ v: 1, type: 'ls' }) + signed({ v: 1, type: 'ls' }),
      /one request per connection/,
    ],
    [
      'an oversize line',
      'REQUEST_TOO_LARGE',
      `{"v":1,"type":"ls","pad":"${'x'.repeat(70 * 1024)}`,
      /longer than 65536 bytes/,
    ],
  ];

  it.each(cases)('%s gets %s and a closed connection', async (_what, code, payload, message) => {
    const before = node.control!.counters().errors[code] ?? 0;
    const lines = parsed(await exchange(socketPath, typeof payload === 'function' ? payload() : payload));
    expect(lines.at(-1)).toMatchObject({ v: 1, type: 'error', code });
    expect(String(lines.at(-1)!.message)).toMatch(message);
    // The second request of "two at once" may have been answered before the refusal; nothing else is.
    expect(lines.filter((line) => line.type === 'error')).toHaveLength(1);
    expect(node.control!.counters().errors[code]).toBe(before + 1);
  });

  it('an export of a video the node does not have names it, with the code the CLI branches on', async () => {
    const lines = parsed(
      await exchange(socketPath, signed({ v: 1, type: 'export', name: 'nope', fromChunk: 0 })),
    );
    expect(lines).toEqual([
      {
        v: 1,
        type: 'error',
        code: 'VIDEO_NOT_FOUND',
        message: expect.stringMatching(/"nope" is not in the store/),
      },
    ]);
  });

  it('an add of a file that is not a video says so and keeps nothing', async () => {
    const lines = parsed(
      await exchange(
        socketPath,
        signed({ v: 1, type: 'add', file: path.join(store, 'index.sqlite'), replace: false }),
      ),
    );
    expect(lines.at(-1)).toMatchObject({ type: 'error', code: 'NOT_MEDIA' });
  });

  it('after all of that the node is healthy and its store intact', async () => {
    await assertNodeHealthy();
  });
});

describe.skipIf(noFfmpeg)('clients that misbehave over time', () => {
  it('a client that never sends its request is closed with TIMEOUT; one over the connection cap gets BUSY', async () => {
    const other = fixture.dir('timeouts');
    const server = await ControlServer.listen({
      storeDir: other,
      handlers: nodeControlHandlers(node),
      logger: silentLogger(),
      requestWaitMs: 300,
      maxConnections: 2,
    });
    try {
      const silent = net.connect(server.socketPath);
      const idle = net.connect(server.socketPath);
      await Promise.all([once(silent, 'connect'), once(idle, 'connect')]);
      await waitFor(() => server.counters().connections === 2, 'both connections accepted');
      const third = parsed(await exchange(server.socketPath, signed({ v: 1, type: 'ls' }, other)));
      expect(third).toEqual([
        { v: 1, type: 'error', code: 'BUSY', message: expect.stringMatching(/try again/) },
      ]);
      const started = Date.now();
      const [answer] = await Promise.all([collect(silent), collect(idle)]);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(parsed(answer)).toEqual([
        {
          v: 1,
          type: 'error',
          code: 'TIMEOUT',
          message: expect.stringMatching(/no request line within 300 ms/),
        },
      ]);
      expect(server.counters()).toMatchObject({ busy: 1, errors: { TIMEOUT: 2 } });
    } finally {
      await server.close();
    }
  });

  it('a client that disconnects mid-add cancels it: nothing of the video is kept, the node serves on', async () => {
    const socket = net.connect(socketPath);
    await once(socket, 'connect');
    socket.write(signed({ v: 1, type: 'add', file: (await slowClip()).path, name: 'half', replace: false }));
    // Leave as soon as the node says it is cutting.
    let seen = '';
    for await (const data of socket as AsyncIterable<Buffer>) {
      seen += data.toString();
      if (seen.includes('"progress"')) break;
    }
    expect(seen).toContain('"type":"progress"');
    await waitFor(() => node.control!.counters().cancelled === 1, 'the add to be cancelled');
    // The cancelled ingest cleans up after itself; once it has, the same name can be added at once.
    const manifest = await waitFor(
      async () => {
        const client = (await connectToNode(store))!;
        return client
          .add({ file: (await smallClip()).path, name: 'half', replace: false }, () => undefined)
          .catch((error: { code?: string }) => {
            if (error.code === 'VIDEO_EXISTS') return undefined; // still winding down
            throw error;
          });
      },
      'the name to be free again',
      20_000,
    );
    expect(manifest.name).toBe('half');
    expect(node.store.listVideos().map((video) => video.name)).toEqual(['half', 'movie']);
    // Every chunk file on disk belongs to a stored video: nothing of the cancelled add is left.
    await node.store.whenIdle();
    expect(blobFiles()).toEqual(referencedBlobs());
    expect(readdirSync(path.join(store, 'tmp'))).toEqual([]);
    await node.store.deleteVideo('half');
    await node.store.whenIdle();
    expect(blobFiles()).toEqual(referencedBlobs());
    await assertNodeHealthy();
  }, 60_000);
});

describe.skipIf(noFfmpeg)('clients that leave mid-export', () => {
  it('are let go at any point of the export; the node serves on and counts each cancel', async () => {
    const before = node.control!.counters().cancelled;
    // Leave after 1, 2, ... reads: sometimes while the node waits for the socket to drain,
    // sometimes while it reads the next chunk from the store.
    for (let reads = 1; reads <= 8; reads++) {
      const socket = net.connect(socketPath);
      await once(socket, 'connect');
      socket.write(signed({ v: 1, type: 'export', name: 'movie', fromChunk: 0 }));
      let seen = 0;
      for await (const _data of socket as AsyncIterable<Buffer>) if (++seen >= reads) break;
      socket.destroy();
    }
    await waitFor(() => node.control!.counters().cancelled - before >= 1, 'the exports to be cancelled');
    // Every export wound down: none is left waiting for a reader that is gone.
    await waitFor(() => node.control!.counters().open === 0, 'every connection to close', 5_000);
    await assertNodeHealthy();
  });
});

function blobFiles(): string[] {
  const root = path.join(store, 'blobs');
  return readdirSync(root)
    .flatMap((fan) => readdirSync(path.join(root, fan)))
    .sort();
}

function referencedBlobs(): string[] {
  const hashes = node.store
    .listVideos()
    .flatMap(({ manifest }) => [
      ...(manifest.init ? [manifest.init.sha256] : []),
      ...manifest.chunks.map((chunk) => chunk.sha256),
    ]);
  return [...new Set(hashes)].sort();
}

function collect(socket: net.Socket): Promise<string[]> {
  const received: Buffer[] = [];
  socket.on('data', (data: Buffer) => received.push(data));
  return once(socket, 'close').then(() =>
    Buffer.concat(received)
      .toString()
      .split('\n')
      .filter((line) => line !== ''),
  );
}
