/**
 * The in-memory network the roles run on in virtual time: latency, a shared uplink, loss, partitions
 * and crashes, and requests and replies through the real codec with the same errors as ZeroMQ's.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryNetwork } from '../../core/net/memory-network.js';
import type { MemoryHost } from '../../core/net/memory-host.js';
import { PeerStreamerError, isPeerStreamerError } from '../../core/util/errors.js';
import { seededRandom } from '../../core/util/random.js';
import { VirtualClock } from '../../core/util/virtual-clock.js';

const A = 'tcp://10.0.0.1:7000';
const B = 'tcp://10.0.0.2:7000';
const C = 'tcp://10.0.0.3:7000';

function network(seed = 1, latencyMs = 25) {
  const clock = new VirtualClock();
  const net = new MemoryNetwork({ clock, random: seededRandom(seed), defaultLink: { latencyMs } });
  return { clock, net };
}

/** Resolves with what `work` settled to and the virtual ms it took, running the clock meanwhile. */
async function timed<T>(
  clock: VirtualClock,
  work: Promise<T>,
): Promise<{ ms: number; value?: T; error?: unknown }> {
  const started = clock.now();
  let outcome: { value?: T; error?: unknown } | undefined;
  work.then(
    (value) => (outcome = { value }),
    (error: unknown) => (outcome = { error }),
  );
  await clock.runUntil(() => outcome !== undefined, 60_000);
  if (outcome === undefined) throw new Error('the request never settled');
  return { ms: clock.now() - started, ...outcome };
}

const chunk = (bytes: number) => Buffer.alloc(bytes, 7);
function serveChunk(host: MemoryHost, bytes: number): void {
  const body = chunk(bytes);
  const sha256 = createHash('sha256').update(body).digest('hex');
  host.handle('get', (request) => ({
    reply: { video: request.video, index: request.index, size: body.byteLength, sha256 },
    body,
  }));
}

describe('MemoryNetwork', () => {
  it('answers a ping one round trip later, through the codec', async () => {
    const { clock, net } = network();
    net.host(A).handle('ping', () => ({ reply: { name: 'a', time: 5 } }));
    const b = net.host(B);
    const { ms, value } = await timed(clock, b.request(A, { type: 'ping' }, { timeoutMs: 1_000 }));
    expect(ms).toBe(50);
    expect(value!.reply).toMatchObject({ type: 'ping-ok', name: 'a', time: 5 });
  });

  it('sends everything a host sends through one uplink at its bandwidth', async () => {
    const { clock, net } = network(1, 10);
    serveChunk(net.host(A, { uplinkBytesPerSecond: 1_000_000 }), 500_000);
    const b = net.host(B);
    const c = net.host(C);
    const get = { type: 'get', video: 'v', index: 0, fetchUpstream: false } as const;
    const started = clock.now();
    const arrivedAfter = (from: typeof b) =>
      from.request(A, get, { timeoutMs: 5_000 }).then(({ body }) => ({ ms: clock.now() - started, body }));
    const { value } = await timed(clock, Promise.all([arrivedAfter(b), arrivedAfter(c)]));
    const [one, two] = value!;
    expect(one.body!.byteLength).toBe(500_000);
    // Half a megabyte at 1 MB/s takes 500 ms; the second reply waits for the first to leave.
    expect(one.ms).toBeGreaterThanOrEqual(520);
    expect(one.ms).toBeLessThan(530);
    expect(two.ms).toBeGreaterThanOrEqual(1_020);
    expect(two.ms).toBeLessThan(1_030);
    expect(net.totals.bytes).toBeGreaterThan(1_000_000);
  });

  it("adds both hosts' access delays to a link, and counts a chunk body at its stand-in scale", async () => {
    const clock = new VirtualClock();
    const net = new MemoryNetwork({
      clock,
      random: seededRandom(1),
      defaultLink: { latencyMs: 5 },
      byteScale: 1_000,
    });
    const a = net.host(A, { accessLatencyMs: 10, uplinkBytesPerSecond: 1_000_000 });
    a.handle('ping', () => ({ reply: { name: 'a', time: 0 } }));
    serveChunk(a, 100);
    const b = net.host(B, { accessLatencyMs: 30 });
    const ping = await timed(clock, b.request(A, { type: 'ping' }, { timeoutMs: 1_000 }));
    expect(ping.ms).toBe(2 * (5 + 10 + 30));
    // 100 bytes standing for 100 kB: 100 ms on a 1 MB/s uplink. The ping and the header are not scaled.
    const get = await timed(
      clock,
      b.request(A, { type: 'get', video: 'v', index: 0, fetchUpstream: false }, { timeoutMs: 1_000 }),
    );
    expect(get.ms).toBeGreaterThanOrEqual(90 + 100);
    expect(get.ms).toBeLessThan(90 + 101);
    // Only the body counts as chunk bytes: the header is the same hundred bytes in any run.
    expect(a.chunkBytesSent).toBe(100_000);
    expect(a.chunkBytesSent).toBeLessThan(100_500);
    expect(net.totals.controlMessages).toBe(2);
  });

  it('times out a request to a crashed host, as to a killed node', async () => {
    const { clock, net } = network();
    const a = net.host(A).handle('ping', () => ({ reply: { name: 'a', time: 0 } }));
    const b = net.host(B);
    a.crash();
    const { ms, error } = await timed(clock, b.request(A, { type: 'ping' }, { timeoutMs: 800 }));
    expect(ms).toBe(800);
    expect(isPeerStreamerError(error, 'TIMEOUT')).toBe(true);
    expect((error as Error).message).toContain(`${A} did not answer ping within 800 ms`);
    // A new node may start at the address of a crashed one, not of a live one.
    expect(() => net.host(B)).toThrow(/already exists/);
    net.host(A);
  });

  it('tells a reset crash at once: what was sent there fails, and later requests are refused', async () => {
    const { clock, net } = network(1, 25);
    // `a` takes its time over `stats`, so the request is in flight when it crashes.
    const a = net.host(A).handle('stats', () => new Promise(() => {}));
    a.handle('ping', () => ({ reply: { name: 'a', time: 0 } }));
    const b = net.host(B);
    const c = net.host(C);
    // c asked a before too: its connection to a closes as well, with nothing in flight on it.
    await timed(clock, c.request(A, { type: 'ping' }, { timeoutMs: 5_000 }));
    const sentAt = clock.now();
    let lost: unknown;
    b.request(A, { type: 'stats' }, { timeoutMs: 5_000 }).catch((error: unknown) => (lost = error));
    await clock.advance(100);
    a.crash('reset');
    await clock.advance(24);
    expect(lost).toBeUndefined();
    // Heard one link latency (25 ms) after the crash: long before the 5 s deadline.
    await clock.advance(1);
    expect(clock.now() - sentAt).toBe(125);
    expect(isPeerStreamerError(lost, 'UNREACHABLE')).toBe(true);
    expect((lost as Error).message).toContain(`${A} closed the connection before answering stats`);
    const refused = await timed(clock, c.request(A, { type: 'ping' }, { timeoutMs: 5_000 }));
    expect((refused.error as Error).message).toContain(`${A} refused the connection for ping`);
    expect(refused.ms).toBe(50);
    // A silent crash still times out (the test above); a node started there again answers.
    net.host(A).handle('ping', () => ({ reply: { name: 'again', time: 0 } }));
    expect((await timed(clock, c.request(A, { type: 'ping' }, { timeoutMs: 5_000 }))).value).toBeDefined();
  });

  it('loses messages across a partition until it heals', async () => {
    const { clock, net } = network();
    net.host(A).handle('ping', () => ({ reply: { name: 'a', time: 0 } }));
    const b = net.host(B);
    net.partition([B], [A]);
    expect((await timed(clock, b.request(A, { type: 'ping' }, { timeoutMs: 300 }))).error).toBeInstanceOf(
      PeerStreamerError,
    );
    net.heal();
    expect((await timed(clock, b.request(A, { type: 'ping' }, { timeoutMs: 300 }))).value).toBeDefined();
    expect(net.totals.undeliverable).toBe(1);
  });

  it('loses about the set share of messages on a lossy link, the same ones for the same seed', async () => {
    async function run(seed: number): Promise<boolean[]> {
      const { clock, net } = network(seed);
      net.host(A).handle('ping', () => ({ reply: { name: 'a', time: 0 } }));
      const b = net.host(B);
      net.setLink(A, B, { latencyMs: 5, lossRate: 0.3 });
      const answered: boolean[] = [];
      for (let i = 0; i < 200; i++) {
        answered.push(
          (await timed(clock, b.request(A, { type: 'ping' }, { timeoutMs: 100 }))).value !== undefined,
        );
      }
      return answered;
    }
    const first = await run(9);
    const share = first.filter(Boolean).length / first.length;
    // A round trip survives with 0.7 * 0.7 = 0.49.
    expect(share).toBeGreaterThan(0.38);
    expect(share).toBeLessThan(0.6);
    expect(await run(9)).toEqual(first);
  });

  it("carries a handler's refusal with its code and retry hint, and hides other failures' details", async () => {
    const { clock, net } = network();
    net
      .host(A)
      .handle('report', () => {
        throw new PeerStreamerError('NOT_REGISTERED', 'register first', { retryAfterMs: 250 });
      })
      .handle('ping', () => {
        throw new Error('/secret/path exploded');
      });
    const b = net.host(B);
    const refused = await timed(
      clock,
      b.request(A, { type: 'report', name: 'b', added: [], removed: [] }, { timeoutMs: 1_000 }),
    );
    expect(isPeerStreamerError(refused.error)).toBe(true);
    expect((refused.error as PeerStreamerError).context).toMatchObject({
      remoteCode: 'NOT_REGISTERED',
      retryAfterMs: 250,
    });
    const failed = await timed(clock, b.request(A, { type: 'ping' }, { timeoutMs: 1_000 }));
    expect((failed.error as PeerStreamerError).context.remoteCode).toBe('INTERNAL');
    expect((failed.error as Error).message).not.toContain('/secret/path');
  });

  it('answers a request type nobody handles with NOT_SUPPORTED, and refuses a bad address at once', async () => {
    const { clock, net } = network();
    net.host(A);
    const b = net.host(B);
    const unsupported = await timed(clock, b.request(A, { type: 'stats' }, { timeoutMs: 1_000 }));
    expect((unsupported.error as PeerStreamerError).context.remoteCode).toBe('NOT_SUPPORTED');
    const bad = await timed(clock, b.request('http://nowhere', { type: 'ping' }, { timeoutMs: 1_000 }));
    expect(isPeerStreamerError(bad.error, 'INVALID_ARGUMENT')).toBe(true);
    expect(bad.ms).toBe(0);
    expect(() => net.host('not an address')).toThrow(/memory host address/);
  });

  it('ends a request when its signal aborts', async () => {
    const { clock, net } = network();
    net.host(A).handle('ping', async () => {
      await clock.sleep(10_000);
      return { reply: { name: 'a', time: 0 } };
    });
    const b = net.host(B);
    const controller = new AbortController();
    clock.after(100, () => controller.abort(new Error('viewer moved on')));
    const { ms, error } = await timed(
      clock,
      b.request(A, { type: 'ping' }, { timeoutMs: 5_000, signal: controller.signal }),
    );
    expect(ms).toBe(100);
    expect((error as Error).message).toBe('viewer moved on');
  });
});
