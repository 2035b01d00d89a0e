/**
 * A byte flipped in a stored chunk while its node was down. The node hashes each chunk on its first
 * read after it opens its store, so it never hands the bad bytes to a peer: a sibling asking is told
 * the chunk is not held, a child asking through it gets the chunk fetched again from upstream, and
 * the store holds good bytes from then on. Real processes, the master killed with SIGKILL.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PeerClient } from '../../core/net/client.js';
import { isPeerStreamerError } from '../../core/util/errors.js';
import { SWARM_TIMEOUT_MS, Swarm, assertBuilt, playThrough, type NodeProcess } from '../helpers/swarm.js';
import { sourceStore, type SourceStore } from '../helpers/source-store.js';
import { lacks, requires } from '../helpers/requirements.js';
import { waitFor } from '../helpers/wait.js';

const noFfmpeg = lacks(requires.ffmpeg);
const swarm = new Swarm();
let source: SourceStore;
let master: NodeProcess;

function blobPath(store: string, sha256: string): string {
  return path.join(store, 'blobs', sha256.slice(0, 2), sha256);
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

beforeAll(async () => {
  assertBuilt();
  source = await sourceStore(swarm, 'movie', 6);
  const root = await swarm.start({ name: 'source', store: source.store });
  master = await swarm.start({ name: 'master', master: root });
}, SWARM_TIMEOUT_MS);
afterAll(() => swarm.stop());

describe.skipIf(noFfmpeg)('a chunk that went bad on disk', { timeout: SWARM_TIMEOUT_MS }, () => {
  it('is never served: a peer is told it is missing, a child gets it fetched again', async () => {
    // The master caches the whole video by playing it once.
    expect((await playThrough(master, 'movie')).bytes.equals(source.exported)).toBe(true);
    const chunk = source.manifest.chunks[1]!;
    const file = blobPath(master.store, chunk.sha256);
    // Chunks are handed on first and stored in the background.
    await waitFor(() => existsSync(file), `the master stored chunk 1 at ${file}`);
    const good = readFileSync(file);

    await master.kill('SIGKILL');
    const flipped = Buffer.from(good);
    flipped[Math.floor(flipped.length / 2)]! ^= 0x01;
    writeFileSync(file, flipped);
    master = await swarm.restart(master);

    const client = new PeerClient({ timeoutMs: 30_000 });
    try {
      // A sibling's request (no fetching upstream): refused, never answered with the flipped bytes.
      const refusal = await client
        .request(master.address, { type: 'get', video: 'movie', index: 1, fetchUpstream: false })
        .then(
          () => null,
          (error: unknown) => error,
        );
      expect(isPeerStreamerError(refusal) && refusal.context.remoteCode).toBe('CHUNK_NOT_FOUND');
    } finally {
      await client.close();
    }
    // A child playing through the master: the master fetches chunk 1 again from the source.
    const child = await swarm.start({ name: 'child', master });
    expect((await playThrough(child, 'movie')).bytes.equals(source.exported)).toBe(true);
    await waitFor(() => existsSync(file) && sha256(readFileSync(file)) === chunk.sha256, 'good bytes stored');
  });
});
