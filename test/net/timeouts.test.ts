import * as zmq from 'zeromq';
import { afterEach, describe, expect, it } from 'vitest';
import { PeerClient } from '../../core/net/client.js';
import type { PeerServer } from '../../core/net/server.js';
import { PeerStreamerError } from '../../core/util/errors.js';
import { startServer, startServerOn } from './helpers.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function newClient(): PeerClient {
  const client = new PeerClient();
  cleanup.push(() => client.close());
  return client;
}

async function server(options: Parameters<typeof startServer>[0] = {}): Promise<PeerServer> {
  const started = await startServer(options);
  cleanup.push(() => started.close());
  return started;
}

async function failure(promise: Promise<unknown>): Promise<{ error: PeerStreamerError; ms: number }> {
  const started = Date.now();
  const error = await promise.then(
    () => {
      throw new Error('expected the request to fail');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PeerStreamerError);
  return { error: error as PeerStreamerError, ms: Date.now() - started };
}

describe('requests never hang', () => {
  it('a server that reads but never replies: TIMEOUT within the timeout, naming address and type', async () => {
    const silent = new zmq.Router({ linger: 0 });
    await silent.bind('tcp://127.0.0.1:*');
    cleanup.push(() => silent.close());
    const address = silent.lastEndpoint!;
    const { error, ms } = await failure(newClient().request(address, { type: 'stats' }, { timeoutMs: 300 }));
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toContain(address);
    expect(error.message).toContain('stats');
    expect(ms).toBeGreaterThanOrEqual(280);
    expect(ms).toBeLessThan(1500);
  });

  it('nothing listening: UNREACHABLE within the timeout', async () => {
    const { error, ms } = await failure(
      newClient().request('tcp://127.0.0.1:1', { type: 'ping' }, { timeoutMs: 300 }),
    );
    expect(error.code).toBe('UNREACHABLE');
    expect(ms).toBeLessThan(1500);
  });

  it('many requests to a dead address all fail by their deadlines', async () => {
    const client = newClient();
    const started = Date.now();
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () =>
        client.request('tcp://127.0.0.1:1', { type: 'ping' }, { timeoutMs: 300 }),
      ),
    );
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a server closed mid-request: the request times out', async () => {
    const dying = await startServer();
    dying.handle('stats', () => new Promise(() => {}));
    const client = newClient();
    const pending = failure(client.request(dying.address, { type: 'stats' }, { timeoutMs: 500 }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await dying.close();
    const { error, ms } = await pending;
    expect(['TIMEOUT', 'UNREACHABLE']).toContain(error.code);
    expect(ms).toBeLessThan(2000);
  });

  it('a server restarted on the same port serves again through the same pool', async () => {
    const first = await startServer();
    const address = first.address;
    first.handle('stats', () => new Promise(() => {}));
    const client = newClient();
    await client.request(address, { type: 'ping' });
    const stale = failure(client.request(address, { type: 'stats' }, { timeoutMs: 600 }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await first.close();

    const second = await startServerOn(address, { name: 'reborn' });
    cleanup.push(() => second.close());
    expect((await stale).error.code).toMatch(/TIMEOUT|UNREACHABLE/);
    const { reply } = await client.request(address, { type: 'ping' }, { timeoutMs: 3000 });
    expect(reply.name).toBe('reborn');
    expect(client.counters().connectionsOpened).toBe(1);
  });

  it('a handler that never finishes: the server answers TIMEOUT itself and frees the slot', async () => {
    const slow = await server({ handlerTimeoutMs: 100, maxInFlightPerPeer: 1 });
    let aborted = false;
    slow.handle('stats', (_request, peer) => {
      peer.signal.addEventListener('abort', () => (aborted = true));
      return new Promise(() => {});
    });
    const client = newClient();
    const { error } = await failure(client.request(slow.address, { type: 'stats' }, { timeoutMs: 2000 }));
    expect(error.code).toBe('TIMEOUT');
    expect(error.context.remoteCode).toBe('TIMEOUT');
    expect(aborted).toBe(true);
    expect(slow.counters().handlerTimeouts).toBe(1);
    await expect(client.request(slow.address, { type: 'ping' })).resolves.toBeDefined();
  });

  it('a late reply after a timeout is dropped and counted', async () => {
    const late = await server();
    late.handle('stats', async () => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      return { reply: { stats: {} } };
    });
    const client = newClient();
    await failure(client.request(late.address, { type: 'stats' }, { timeoutMs: 50 }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(client.counters().lateReplies).toBe(1);
    expect(client.counters().unknownReplies).toBe(0);
  });
});
