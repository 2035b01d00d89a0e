import { afterEach, describe, expect, it, vi } from 'vitest';
import { PeerClient } from '../../core/net/client.js';
import type { PeerServer } from '../../core/net/server.js';
import { PeerStreamerError } from '../../core/util/errors.js';
import { deferred, rawCurveRouter, startServer, startServerOn } from './helpers.js';
import { waitFor } from '../helpers/wait.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  vi.useRealTimers();
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

/** The PeerStreamerError `promise` rejects with. A request that hangs fails the test by its timeout. */
async function failure(promise: Promise<unknown>): Promise<PeerStreamerError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the request to fail');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PeerStreamerError);
  return error as PeerStreamerError;
}

/** Whether `promise` has settled, after the callbacks already due have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('requests never hang', () => {
  it('a server that reads but never replies: TIMEOUT exactly at the timeout, naming address and type', async () => {
    const { router: silent, address: keyed } = await rawCurveRouter();
    cleanup.push(() => silent.close());
    const address = keyed.split('#')[0]!;
    const client = newClient();
    // Connected first, on the real clock: until then a send waits in libzmq, not on a timer.
    client.request(keyed, { type: 'ping' }, { timeoutMs: 600_000 }).catch(() => undefined);
    await silent.receive();
    // From here the deadline is the client's timer alone, so a fake clock decides exactly when it fires.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const pending = failure(client.request(keyed, { type: 'stats' }, { timeoutMs: 300 }));
    await silent.receive();
    await vi.advanceTimersByTimeAsync(299);
    expect(await settled(pending)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const error = await pending;
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toContain(address);
    expect(error.message).toContain('stats');
    expect(error.context.timeoutMs).toBe(300);
  });

  it('nothing listening: UNREACHABLE by the timeout', async () => {
    const error = await failure(
      newClient().request('tcp://127.0.0.1:1', { type: 'ping' }, { timeoutMs: 300 }),
    );
    expect(error.code).toBe('UNREACHABLE');
    expect(error.context.timeoutMs).toBe(300);
  });

  it('many requests to a dead address all fail by their deadlines', async () => {
    const client = newClient();
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () =>
        client.request('tcp://127.0.0.1:1', { type: 'ping' }, { timeoutMs: 300 }),
      ),
    );
    // Each by its own deadline: UNREACHABLE for the one waiting on the connection, TIMEOUT for those
    // queued behind it.
    for (const result of results) {
      expect(result.status).toBe('rejected');
      const error = (result as PromiseRejectedResult).reason as PeerStreamerError;
      expect(['UNREACHABLE', 'TIMEOUT']).toContain(error.code);
      expect(error.context.timeoutMs).toBe(300);
    }
  });

  it('a server closed mid-request: the request times out', async () => {
    const dying = await startServer();
    const reached = deferred();
    dying.handle('stats', () => {
      reached.resolve();
      return new Promise(() => {});
    });
    const client = newClient();
    const pending = failure(client.request(dying.address, { type: 'stats' }, { timeoutMs: 500 }));
    await reached.promise;
    await dying.close();
    const error = await pending;
    expect(['TIMEOUT', 'UNREACHABLE']).toContain(error.code);
  });

  it('a server restarted on the same port serves again through the same pool', async () => {
    const first = await startServer();
    const address = first.address;
    const reached = deferred();
    first.handle('stats', () => {
      reached.resolve();
      return new Promise(() => {});
    });
    const client = newClient();
    await client.request(address, { type: 'ping' });
    const stale = failure(client.request(address, { type: 'stats' }, { timeoutMs: 600 }));
    await reached.promise;
    await first.close();

    // The same node restarted: the same key (a node keeps its key in its store).
    const second = await startServerOn(address, { name: 'reborn', keys: first.keys });
    cleanup.push(() => second.close());
    expect((await stale).code).toMatch(/TIMEOUT|UNREACHABLE/);
    const { reply } = await client.request(address, { type: 'ping' }, { timeoutMs: 30_000 });
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
    const error = await failure(client.request(slow.address, { type: 'stats' }, { timeoutMs: 30_000 }));
    expect(error.code).toBe('TIMEOUT');
    expect(error.context.remoteCode).toBe('TIMEOUT');
    expect(aborted).toBe(true);
    expect(slow.counters().handlerTimeouts).toBe(1);
    await expect(client.request(slow.address, { type: 'ping' })).resolves.toBeDefined();
  });

  it('a late reply after a timeout is dropped and counted', async () => {
    const late = await server();
    const answer = deferred();
    late.handle('stats', async () => {
      await answer.promise;
      return { reply: { stats: {} } };
    });
    const client = newClient();
    await failure(client.request(late.address, { type: 'stats' }, { timeoutMs: 50 }));
    answer.resolve();
    await waitFor(() => client.counters().lateReplies === 1, 'the late reply counted');
    expect(client.counters().unknownReplies).toBe(0);
  });
});
