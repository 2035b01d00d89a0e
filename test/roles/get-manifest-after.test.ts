/**
 * `get-manifest` with `after`: a live viewer following a stream asks for only the chunks after the
 * newest it has, under the stream's signed header, not for the whole list again each time. Whole
 * virtual nodes over the in-memory network, on virtual time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { LiveManifest } from '../../core/shared/manifest.js';
import { VirtualSwarm } from '../../core/sim/virtual-swarm.js';
import { liveSignatureProblem } from '../../core/trust/live-signature.js';
import { goLiveVirtual, type VirtualLiveStream } from '../helpers/virtual-live.js';

const STREAM = 'all hands';
let stream: VirtualLiveStream | undefined;
afterEach(() => stream?.stop());

describe('get-manifest after an index', () => {
  it('answers a live stream with its header and only the later chunks, each still signed', async () => {
    const swarm = new VirtualSwarm(11, { defaultLink: { latencyMs: 5 } });
    const source = swarm.node('source');
    stream = await goLiveVirtual(swarm, source, STREAM);
    await swarm.clock.advance(6_000);
    const viewer = swarm.network.host('tcp://10.200.0.9:7000');
    const ask = async (after?: number): Promise<LiveManifest> => {
      const asked = viewer.request(
        source.address,
        {
          type: 'get-manifest',
          video: STREAM,
          ...(after === undefined ? {} : { after }),
        },
        { timeoutMs: 3_000 },
      );
      await swarm.clock.advance(50);
      return (await asked).reply.manifest as LiveManifest;
    };
    const whole = await ask();
    expect(whole.chunks.length).toBeGreaterThanOrEqual(6);
    const newest = whole.chunks.at(-1)!.index;

    const news = await ask(newest - 2);
    expect(news.chunks.map((chunk) => chunk.index)).toEqual([newest - 1, newest]);
    expect(news.live).toEqual(whole.live);
    // The header's signature and each chunk's hold on their own.
    expect(liveSignatureProblem(news)).toBeNull();
    // Nothing new yet: the newest chunk again (a manifest lists one at least).
    expect((await ask(newest)).chunks.map((chunk) => chunk.index)).toEqual([newest]);
  });

  it('is ignored for an on-demand video: the whole manifest, as before', async () => {
    const swarm = new VirtualSwarm(12, { defaultLink: { latencyMs: 5 } });
    const source = swarm.node('source');
    stream = await goLiveVirtual(swarm, source, STREAM);
    await swarm.clock.advance(3_000);
    stream.stop();
    // Its chunks as an ordinary video's: no live header, no capture times.
    const { live: _live, ...fields } = stream.manifest();
    const chunks = fields.chunks.map(({ index, start, duration, size, sha256 }) => ({
      index,
      start,
      duration,
      size,
      sha256,
    }));
    source.store.putManifest({ ...fields, name: 'recording', chunks } as never);
    const viewer = swarm.network.host('tcp://10.200.0.9:7000');
    const asked = viewer.request(
      source.address,
      { type: 'get-manifest', video: 'recording', after: 1 },
      { timeoutMs: 3_000 },
    );
    await swarm.clock.advance(50);
    expect((await asked).reply.manifest.chunks.length).toBe(stream.manifest().chunks.length);
  });
});
