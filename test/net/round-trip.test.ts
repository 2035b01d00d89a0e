import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PeerClient } from '../../core/net/client.js';
import type { PeerServer } from '../../core/net/server.js';
import { tryPeers } from '../../core/net/try-peers.js';
import { REQUEST_TYPES, TYPES_WITH_BODY, type Request } from '../../core/protocol/messages.js';
import { PeerStreamerError } from '../../core/util/errors.js';
import { sha256Hex } from '../../core/util/hash.js';
import { getBody, replies, requests } from '../protocol/fixtures.js';
import { chunkOf, deferred, serveFixtures, startServer } from './helpers.js';
import { waitFor } from '../helpers/wait.js';

let server: PeerServer;
let client: PeerClient;
const MiB = 1024 * 1024;
const chunks = new Map([
  [-1, chunkOf(800, 9)],
  [0, chunkOf(MiB, 1)],
  [1, chunkOf(17, 2)],
  [2, Buffer.alloc(0)],
]);

beforeEach(async () => {
  server = await startServer();
  serveFixtures(server, chunks);
  client = new PeerClient({ timeoutMs: 5000 });
});

afterEach(async () => {
  await client.close();
  await server.close();
});

describe('every message through a real PeerServer and PeerClient', () => {
  it.each(REQUEST_TYPES.filter((type) => !TYPES_WITH_BODY.has(type) && type !== 'ping' && type !== 'query'))(
    '%s',
    async (type) => {
      const { reply, body } = await client.request(server.address, { type, ...requests[type] } as Request);
      expect(reply).toEqual({ type: `${type}-ok`, ...replies[type] });
      expect(body).toBeUndefined();
    },
  );

  it('get-poster, with the image as its own frame', async () => {
    const { reply, body } = await client.request(server.address, {
      type: 'get-poster',
      ...requests['get-poster'],
    });
    expect(reply).toEqual({ type: 'get-poster-ok', ...replies['get-poster'] });
    expect(Buffer.compare(body!, getBody)).toBe(0);
  });

  it('query', async () => {
    const { reply } = await client.request(server.address, { type: 'query', ...requests.query });
    expect(reply.holders).toHaveLength(3);
    expect(reply.holders[0]).toEqual([{ name: 'bob', address: 'tcp://bob.local:7002' }]);
  });

  it('ping (answered by default with the server name)', async () => {
    const before = Date.now();
    const { reply } = await client.request(server.address, { type: 'ping', name: 'client' });
    expect(reply.name).toBe('server');
    expect(reply.time).toBeGreaterThanOrEqual(before - 1000);
  });

  it('get: a 1 MiB chunk arrives byte-identical as its own frame', async () => {
    const { reply, body } = await client.request(server.address, {
      type: 'get',
      video: 'v',
      index: 0,
      fetchUpstream: false,
    });
    expect(reply).toEqual({
      type: 'get-ok',
      video: 'v',
      index: 0,
      size: MiB,
      sha256: sha256Hex(chunks.get(0)!),
    });
    expect(body.length).toBe(MiB);
    expect(body.equals(chunks.get(0)!)).toBe(true);
  });

  it('get: the init segment (-1) and an empty chunk', async () => {
    const init = await client.request(server.address, {
      type: 'get',
      video: 'v',
      index: -1,
      fetchUpstream: true,
      streamId: 's',
    });
    expect(init.body.equals(chunks.get(-1)!)).toBe(true);
    const empty = await client.request(server.address, {
      type: 'get',
      video: 'v',
      index: 2,
      fetchUpstream: false,
    });
    expect(empty.body.length).toBe(0);
  });

  it('get: a handler error keeps its code (CHUNK_NOT_FOUND) and names the peer', async () => {
    const error = await client
      .request(server.address, { type: 'get', video: 'v', index: 99, fetchUpstream: false })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PeerStreamerError);
    expect((error as PeerStreamerError).code).toBe('CHUNK_NOT_FOUND');
    expect((error as PeerStreamerError).message).toContain(server.address);
    expect((error as PeerStreamerError).context.remoteCode).toBe('CHUNK_NOT_FOUND');
  });

  it('many requests in flight on one connection are matched to their replies', async () => {
    server.handle('get', async (request) => {
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 30));
      const body = Buffer.from(`chunk ${request.index}`);
      return {
        reply: { video: request.video, index: request.index, size: body.length, sha256: sha256Hex(body) },
        body,
      };
    });
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, index) =>
        client.request(server.address, { type: 'get', video: 'v', index, fetchUpstream: false }),
      ),
    );
    results.forEach(({ reply, body }, index) => {
      expect(reply.index).toBe(index);
      expect(body.toString()).toBe(`chunk ${index}`);
    });
    expect(client.counters().connections).toBe(1);
    expect(client.counters().unknownReplies).toBe(0);
  });
});

describe('failures become error replies, never crashes', () => {
  it('a handler that throws a plain Error: INTERNAL, without its message', async () => {
    server.handle('stats', () => {
      throw new Error('/secret/path exploded');
    });
    const error = (await client
      .request(server.address, { type: 'stats' })
      .catch((e: unknown) => e)) as PeerStreamerError;
    expect(error.code).toBe('INTERNAL');
    expect(error.message).not.toContain('/secret/path');
    expect(server.counters().handlerErrors).toBe(1);
    // Still serving.
    await expect(client.request(server.address, { type: 'ping' })).resolves.toBeDefined();
  });

  it('a handler that returns an invalid reply: INTERNAL naming the field', async () => {
    server.handle('register', () => ({ reply: { masterName: 'bad\nname', level: 1 } }));
    const error = (await client
      .request(server.address, { type: 'register', ...requests.register })
      .catch((e: unknown) => e)) as PeerStreamerError;
    expect(error.code).toBe('INTERNAL');
    expect(error.message).toContain('masterName');
  });

  it('a type this node does not serve: NOT_SUPPORTED as a PROTOCOL error', async () => {
    const bare = await startServer({ name: 'bare' });
    try {
      const error = (await client
        .request(bare.address, { type: 'topology' })
        .catch((e: unknown) => e)) as PeerStreamerError;
      expect(error.code).toBe('PROTOCOL');
      expect(error.context.remoteCode).toBe('NOT_SUPPORTED');
    } finally {
      await bare.close();
    }
  });

  it('a bad address or request is refused locally with INVALID_ARGUMENT', async () => {
    await expect(client.request('tcp://nowhere', { type: 'ping' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(
      client.request(server.address, { type: 'get', video: '../etc/passwd', index: 0, fetchUpstream: false }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('"video"') });
  });

  it('one signal shared by many requests aborts them all, without piling up listeners', async () => {
    const reached = deferred();
    server.handle('stats', () => {
      reached.resolve();
      return new Promise(() => {});
    });
    const controller = new AbortController();
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const pending = Array.from({ length: 40 }, () =>
        client.request(server.address, { type: 'stats' }, { signal: controller.signal }),
      );
      // Aborted while some are in flight at the server and the rest still queued.
      await reached.promise;
      controller.abort(new Error('stream closed'));
      const results = await Promise.allSettled(pending);
      expect(
        results.every((r) => r.status === 'rejected' && String(r.reason).includes('stream closed')),
      ).toBe(true);
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('an aborted request rejects with the signal reason', async () => {
    const reached = deferred();
    server.handle('stats', () => {
      reached.resolve();
      return new Promise(() => {});
    });
    const controller = new AbortController();
    const pending = client.request(server.address, { type: 'stats' }, { signal: controller.signal });
    await reached.promise;
    controller.abort(new Error('viewer seeked'));
    await expect(pending).rejects.toThrow('viewer seeked');
  });
});

describe('server lifecycle', () => {
  it('binding a port in use fails with PORT_IN_USE naming the port', async () => {
    const port = server.address.split(':').pop();
    const clash = startServer({ bind: server.address });
    await expect(clash).rejects.toMatchObject({
      code: 'PORT_IN_USE',
      message: expect.stringContaining(`port ${port}`),
    });
  });

  it('an unusable bind address is refused', async () => {
    await expect(startServer({ bind: 'http://x:1' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('counts bytes and messages', async () => {
    await client.request(server.address, { type: 'get', video: 'v', index: 0, fetchUpstream: false });
    const counters = server.counters();
    expect(counters.messagesReceived).toBe(1);
    expect(counters.repliesSent).toBe(1);
    expect(counters.bytesOut).toBeGreaterThan(MiB);
    expect(client.counters().bytesIn).toBeGreaterThan(MiB);
  });
});

describe('the connection pool', () => {
  it('closes idle connections and reopens on demand', async () => {
    const quick = new PeerClient({ idleCloseMs: 100 });
    try {
      await quick.request(server.address, { type: 'ping' });
      expect(quick.counters().connections).toBe(1);
      await waitFor(() => quick.counters().connections === 0, 'the idle connection closed');
      await quick.request(server.address, { type: 'ping' });
      expect(quick.counters().connectionsOpened).toBe(2);
    } finally {
      await quick.close();
    }
  });

  it("disconnect() fails that connection's requests with UNREACHABLE", async () => {
    const reached = deferred();
    server.handle('stats', () => {
      reached.resolve();
      return new Promise(() => {});
    });
    const pending = client.request(server.address, { type: 'stats' });
    await reached.promise;
    await client.disconnect(server.address);
    await expect(pending).rejects.toMatchObject({ code: 'UNREACHABLE' });
  });

  it('tryPeers moves on past peers that fail or answer badly', async () => {
    const second = await startServer({ name: 'second' });
    serveFixtures(second, chunks);
    try {
      const result = await tryPeers(
        client,
        ['tcp://127.0.0.1:1', server.address, second.address],
        { type: 'get', video: 'v', index: 1, fetchUpstream: false },
        {
          // Room for a first contact's key ask and CURVE handshake on a loaded machine: the order of
          // the peers tried is the point here, not how fast.
          timeoutMs: 3_000,
          accept: (_r, address) => (address === server.address ? 'pretend the hash was wrong' : null),
        },
      );
      expect(result.address).toBe(second.address);
      expect(result.failures.map((f) => f.address)).toEqual(['tcp://127.0.0.1:1', server.address]);
      expect(result.body.equals(chunks.get(1)!)).toBe(true);
      await expect(
        tryPeers(client, ['tcp://127.0.0.1:1'], { type: 'ping' }, { timeoutMs: 100 }),
      ).rejects.toMatchObject({ code: 'UNREACHABLE', message: expect.stringContaining('none of 1 peers') });
    } finally {
      await second.close();
    }
  });
});
