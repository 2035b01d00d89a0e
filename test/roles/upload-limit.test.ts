/**
 * The upload limit in virtual time: a node serving chunks through its UploadLimiter keeps to the
 * rate over any stretch longer than its quarter-second burst, however many peers ask at once.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryNetwork } from '../../core/net/memory-network.js';
import { UploadLimiter } from '../../core/node/upload-limiter.js';
import { seededRandom } from '../../core/util/random.js';
import { VirtualClock } from '../../core/util/virtual-clock.js';

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
    // 16 chunks of 256 KiB is 4 MiB: 4 s at 1 MiB/s, less the quarter-second burst, plus latency.
    const last = Math.max(...finished);
    expect(last).toBeGreaterThanOrEqual(3_700);
    expect(last).toBeLessThan(3_850);
  });

  it('lets a waiting send go when its requester gives up', async () => {
    const clock = new VirtualClock();
    const limiter = new UploadLimiter(100_000, clock);
    await limiter.take(25_000);
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
