/**
 * A live stream a node holds nothing of yet, listed by its master: the node's library entry says it
 * is live all the same (the player lists live streams first and badges them), with the viewer count
 * once the node has heard one. Real PeerNodes on loopback: a source holding a live stream's signed
 * manifest, and a child that has never asked for it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { NodeBackend } from '../../core/node/node-backend.js';
import type { PeerNode } from '../../core/node/peer-node.js';
import { LiveManifestBuilder, newLiveStreamId } from '../../core/trust/live-manifest-builder.js';
import { loadOrCreatePublisherKey } from '../../core/trust/key-file.js';
import { sha256Hex } from '../../core/util/hash.js';
import { startNode } from './in-process.js';

const STREAM = 'town hall';
const started: Array<{ stop(): Promise<void> | void }> = [];
afterEach(async () => {
  for (const item of started.splice(0).reverse()) await item.stop();
});

/** The source's own live stream, a few chunks in, signed with the source store's publisher key. */
async function goLiveIn(source: PeerNode): Promise<void> {
  const key = await loadOrCreatePublisherKey(source.config.store);
  const live = new LiveManifestBuilder(
    {
      name: STREAM,
      mimeType: 'video/mp4; codecs="avc1.64001f"',
      width: 320,
      height: 180,
      init: { size: 512, sha256: sha256Hex(Buffer.alloc(512)) },
      ingest: { mode: 'transcode', sourceCodecs: ['rawvideo'] },
      stream: newLiveStreamId(),
      window: 0,
    },
    key,
  );
  for (let index = 0; index < 3; index++) {
    live.append({
      start: index,
      duration: 1,
      size: 100,
      sha256: sha256Hex(Buffer.from(`chunk ${index}`)),
      captureTime: Date.now(),
    });
  }
  source.store.putManifest(live.manifest());
}

describe('a live stream listed by the master only', () => {
  it('is live in the library of a node that holds none of it, with its viewer count once heard', async () => {
    const source = await startNode({ name: 'source' });
    started.push(source);
    const child = await startNode({ name: 'child', master: source });
    started.push(child);
    expect(await child.link!.waitForMaster(10_000)).not.toBeNull();
    await goLiveIn(source);
    const backend = new NodeBackend(child);
    started.push({ stop: () => backend.close() });

    // The count comes down from the master with its announcements (LiveViewers).
    child.liveViewers.heardFromMaster(STREAM, 7);

    const [entry] = (await backend.listVideos()).filter((video) => video.name === STREAM);
    // Listed from the master's list: nothing held, no start date, but live and counted.
    expect(entry).toMatchObject({ chunksHeld: 0, bytesHeld: 0 });
    expect(entry?.live).toEqual({ state: 'live', viewers: 7 });
  });
});
