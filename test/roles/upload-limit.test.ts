/**
 * The upload limit in virtual time: a node serving chunks through its UploadLimiter keeps to the
 * rate over any stretch longer than its quarter-second burst, however many peers ask at once.
 */
import { createHash } from 'node:crypto';
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { MemoryNetwork } from '../../core/net/memory-network.js';
import { UploadLimiter } from '../../core/node/upload-limiter.js';
import { seededRandom } from '../../core/util/random.js';
import { VirtualClock } from '../../core/util/virtual-clock.js';
import type { Clock } from '../../core/util/clock.js';

const CHUNK = Buffer.alloc(256 * 1024, 1);
const SHA256 = createHash('sha256').update(CHUNK).digest('hex');

describe('the upload limit in virtual time', () => {
  it('serves four peers at 1 MiB/s in total, not each', async () => {
    const clock = new VirtualClock();
    const network = new MemoryNetwork({ clock, random: seededRandom(31), defaultLink: { latencyMs: 5 } });
    const limiter = new UploadLimiter(1024 * 1024, clock);
    network.host('tcp://10.0.0.1:7000').handle('get', async (request) => {
      await limiter.take(CHUNK.byteLength);
      return {
        reply: { video: request.video, index: request.index, size: CHUNK.byteLength, sha256: SHA256 },
        body: CHUNK,
      };
    });
    const started = clock.now();
    const finished: number[] = [];
    const peers = [2, 3, 4, 5].map((n) => network.host(`tcp://10.0.0.${n}:7000`));
    const all = peers.map(async (peer) => {
      for (let index = 0; index < 4; index++) {
        await peer.request(
          'tcp://10.0.0.1:7000',
          { type: 'get', video: 'movie', index, fetchUpstream: false },
          { timeoutMs: 30_000 },
        );
      }
      finished.push(clock.now() - started);
    });
    let done = false;
    void Promise.all(all).then(() => (done = true));
    expect(await clock.runUntil(() => done, 60_000)).toBe(true);
    // 16 chunks of 256 KiB is 4 MiB: 4 s at 1 MiB/s, less the quarter-second burst and the one chunk
    // a send may go over by (it goes once the bucket is not in debt), plus latency.
    const last = Math.max(...finished);
    expect(last).toBeGreaterThanOrEqual(3_450);
    expect(last).toBeLessThan(3_850);
  });

  it('lets a waiting send go when its requester gives up', async () => {
    const clock = new VirtualClock();
    const limiter = new UploadLimiter(100_000, clock);
    await limiter.take(25_000);
    await limiter.take(100_000);
    const controller = new AbortController();
    const waiting = limiter.take(100_000, controller.signal);
    let outcome = 'pending';
    waiting.then(
      () => (outcome = 'sent'),
      () => (outcome = 'given up'),
    );
    clock.after(200, () => controller.abort());
    await clock.advance(300);
    expect(outcome).toBe('given up');
  });
});

describe('the upload limit sends what is due soonest first', () => {
  /** Takes in order, records the order they are let go in. */
  function race(limiter: UploadLimiter, sends: Array<{ name: string; bytes: number; dueInMs?: number }>) {
    const order: string[] = [];
    for (const send of sends)
      void limiter.take(send.bytes, undefined, send.dueInMs).then(() => order.push(send.name));
    return order;
  }

  it("lets a newcomer's first chunk go before read-ahead queued earlier", async () => {
    const clock = new VirtualClock();
    const limiter = new UploadLimiter(100_000, clock);
    const order = race(limiter, [
      { name: 'on the wire', bytes: 50_000, dueInMs: 4_000 },
      { name: 'ahead-1', bytes: 50_000, dueInMs: 2_000 },
      { name: 'ahead-2', bytes: 50_000, dueInMs: 4_000 },
      { name: 'first', bytes: 50_000, dueInMs: 0 },
    ]);
    await clock.advance(5_000);
    // The bucket was not in debt for the first asked: it went at once, and the rest by due time.
    expect(order).toEqual(['on the wire', 'first', 'ahead-1', 'ahead-2']);
  });

  it('keeps first come, first served among sends due alike, and the default is due now', async () => {
    const clock = new VirtualClock();
    const limiter = new UploadLimiter(100_000, clock);
    const order = race(limiter, [
      { name: 'a', bytes: 40_000 },
      { name: 'b', bytes: 40_000, dueInMs: 1 },
      { name: 'c', bytes: 40_000 },
      { name: 'd', bytes: 40_000, dueInMs: 0 },
    ]);
    await clock.advance(5_000);
    expect(order).toEqual(['a', 'c', 'd', 'b']);
  });

  it('keeps its rate whatever the order, and a send given up costs nothing', async () => {
    const clock = new VirtualClock();
    const limiter = new UploadLimiter(100_000, clock);
    const given = new AbortController();
    const sentAt: Record<string, number> = {};
    const take = (name: string, bytes: number, dueInMs: number, signal?: AbortSignal) =>
      limiter.take(bytes, signal, dueInMs).then(
        () => (sentAt[name] = clock.now()),
        () => (sentAt[name] = -1),
      );
    void take('a', 25_000, 0);
    void take('on the wire', 100_000, 0);
    void take('late', 100_000, 9_000, given.signal);
    void take('b', 100_000, 5_000);
    void take('c', 100_000, 0);
    clock.after(100, () => given.abort());
    await clock.advance(10_000);
    // The bucket's quarter second went to a; the next went out at once and is paid off in 1 s at
    // 100 kB/s; then c, due first, and b a second after it.
    expect(sentAt).toEqual({ a: 0, 'on the wire': 0, late: -1, c: 1_000, b: 2_000 });
    expect(limiter.queued).toBe(0);
  });

  it('lets everything waiting go when the limit is lifted', async () => {
    const clock = new VirtualClock();
    const limiter = new UploadLimiter(10_000, clock);
    const order = race(limiter, [
      { name: 'a', bytes: 50_000 },
      { name: 'b', bytes: 50_000, dueInMs: 10 },
    ]);
    await clock.advance(10);
    // a went at once (the bucket was not in debt); b waits out a's 50 kB at 10 kB/s.
    expect(order).toEqual(['a']);
    limiter.setLimit(null);
    await clock.advance(0);
    expect(order).toEqual(['a', 'b']);
  });
});

describe("the upload limit and a requester's signal", () => {
  it('listens once per signal however many sends wait, and lets go of it when none does', async () => {
    const clock = new VirtualClock();
    const limiter = new UploadLimiter(100_000, clock);
    const peer = new AbortController();
    const sends = Array.from({ length: 20 }, (_, i) => limiter.take(25_000, peer.signal, i));
    expect(getEventListeners(peer.signal, 'abort')).toHaveLength(1);
    await clock.advance(6_000);
    await Promise.all(sends);
    expect(getEventListeners(peer.signal, 'abort')).toHaveLength(0);
  });

  it('gives up every send of a signal that aborts, and the others go on', async () => {
    const clock = new VirtualClock();
    const limiter = new UploadLimiter(100_000, clock);
    const gone = new AbortController();
    const outcomes: string[] = [];
    const track = (name: string, sending: Promise<void>) =>
      sending.then(
        () => outcomes.push(`${name} sent`),
        () => outcomes.push(`${name} given up`),
      );
    void track('first', limiter.take(100_000));
    for (let i = 0; i < 3; i++) void track(`gone ${i}`, limiter.take(50_000, gone.signal, i));
    void track('other', limiter.take(50_000, undefined, 10));
    clock.after(100, () => gone.abort());
    await clock.advance(2_000);
    expect(outcomes.sort()).toEqual([
      'first sent',
      'gone 0 given up',
      'gone 1 given up',
      'gone 2 given up',
      'other sent',
    ]);
    expect(limiter.queued).toBe(0);
  });
});

describe('the upload limit at a simulated scale', () => {
  it('waits whole milliseconds, so a debt of a sliver of a byte does not wake it at the same instant', async () => {
    // The simulator's clock reads 2026 in milliseconds, where a double holds no finer than about a
    // quarter of a microsecond, and its uplinks count 64-byte stand-ins for 750 kB chunks. At this
    // rate and instant a wait of 0.0001 ms fell on the same instant, forever (found by a search).
    const virtual = new VirtualClock(1_767_225_600_833, { quantumMs: 1 });
    const waits: number[] = [];
    const clock: Clock = {
      now: () => virtual.now(),
      after: (ms, work) => {
        waits.push(ms);
        // Thrown, so a limiter that loops on the same instant fails here rather than hang the run.
        if (!Number.isInteger(ms) || ms < 1) throw new Error(`a wait of ${ms} ms`);
        return virtual.after(ms, work);
      },
      every: (ms, work) => virtual.every(ms, work),
      sleep: (ms, signal) => virtual.sleep(ms, signal),
    };
    const limiter = new UploadLimiter(328.879712427928, clock);
    let sent = 0;
    for (let i = 0; i < 60; i++) void limiter.take(64, undefined, i % 3).then(() => (sent += 1));
    expect(await virtual.runUntil(() => sent === 60, 60_000)).toBe(true);
    expect(waits.filter((ms) => !Number.isInteger(ms) || ms < 1)).toEqual([]);
    // 3,840 bytes at 329 a second, less the quarter-second burst and one send: about 11.2 s.
    expect(virtual.now() - 1_767_225_600_833).toBeGreaterThan(10_900);
  });
});
