/**
 * `verify` through a running node against the node's own stop: the verify watches the node's stop
 * signal once per blob, so stopping does not wait for the whole store to be hashed, and the store
 * never closes under a verify still using it. Concurrent verify requests share one run.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectToNode } from '../../core/control/client.js';
import { ChunkStore } from '../../core/store/chunk-store.js';
import { isPeerStreamerError } from '../../core/util/errors.js';
import { ingest, makeVideo } from '../store/helpers.js';
import { Fixture, recordingLogger } from './helpers.js';
import { waitFor } from '../helpers/wait.js';

const CHUNKS = 3_000;
const fixture = new Fixture();
afterAll(() => fixture.cleanup());

/** A store of one pinned video of CHUNKS distinct 16 KiB chunks: thousands of blobs to re-hash. */
async function largeStore(): Promise<{ dir: string; sha256Of: (index: number) => string }> {
  const dir = fixture.dir('large');
  const video = makeVideo('large', CHUNKS, 16 * 1024);
  const store = await ChunkStore.open(dir);
  try {
    await ingest(store, video);
  } finally {
    store.close();
  }
  return { dir, sha256Of: (index) => video.manifest.chunks[index]!.sha256 };
}

async function verifyThroughNode(dir: string) {
  return (await connectToNode(dir))!.verify();
}

describe('verify through a running node', () => {
  it('is shared by concurrent requests, and a node stopped during one stops at once, its store intact', async () => {
    const { dir, sha256Of } = await largeStore();
    // One damaged chunk in the middle: every request that waits on the run must hear of it.
    const damaged = sha256Of(CHUNKS / 2);
    writeFileSync(path.join(dir, 'blobs', damaged.slice(0, 2), damaged), Buffer.alloc(16 * 1024, 7));
    const { logger, said } = recordingLogger();
    const node = await fixture.node('source', dir, undefined, { logger });

    const [first, second] = await Promise.all([verifyThroughNode(dir), verifyThroughNode(dir)]);
    expect(first).toEqual(second);
    expect(first.problems).toEqual([{ video: 'large', index: CHUNKS / 2, problem: 'wrong-hash' }]);
    expect(first.checkedChunks).toBe(CHUNKS + 1);

    // How long a whole verify takes on this machine now: the yardstick for "stops at once".
    let started = performance.now();
    expect((await verifyThroughNode(dir)).problems).toEqual([]);
    const wholeMs = performance.now() - started;

    const running = verifyThroughNode(dir).then(
      () => null,
      (error: unknown) => error,
    );
    await waitFor(() => node.control!.counters().commands.verify === 4, 'the fourth verify to start');
    started = performance.now();
    await node.stop();
    const stopMs = performance.now() - started;
    console.info(`a whole verify: ${wholeMs.toFixed(0)} ms; stop during one: ${stopMs.toFixed(0)} ms`);

    const refusal = await running;
    expect(isPeerStreamerError(refusal)).toBe(true);
    expect((refusal as { context: { remoteCode: string } }).context.remoteCode).toBe('NODE_STOPPING');
    // Cancelled (not finished, as it was when verify ignored the stop), and well before it could have
    // ended; the floor keeps a fast machine's fixed cost of stopping from deciding the outcome.
    expect(stopMs).toBeLessThan(Math.max(wholeMs / 2, 1_000));
    // Nothing failed on the way down: no command met a closed database, no task failed.
    expect(said(/./).filter((record) => record.level >= 50)).toEqual([]);

    const reopened = await ChunkStore.open(dir);
    try {
      expect(reopened.reconcileReport.droppedRows).toBe(0);
      const report = await reopened.verifyAll();
      expect(report.problems).toEqual([]);
      expect(report.checkedChunks).toBe(CHUNKS);
      expect(readdirSync(path.join(dir, 'tmp'))).toEqual([]);
    } finally {
      reopened.close();
    }
  });
});
