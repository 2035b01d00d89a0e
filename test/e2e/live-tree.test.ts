/**
 * A live stream goes down the tree by announcement (issue 12 §2), across real node processes: a
 * source going live, a level-1 node under it and a level-2 node under that. Once the level-2 node
 * holds the stream's manifest, it grows there with no request from anyone (each level passes the
 * source's `announce-live` on), its signatures hold, the chunks it then serves match the source's
 * byte for byte, and the stream's end reaches it too.
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PeerClient } from '../../core/net/client.js';
import type { LiveManifest, Manifest } from '../../core/shared/manifest.js';
import { signatureProblem } from '../../core/trust/manifest-signature.js';
import { lacks, requires } from '../helpers/requirements.js';
import { Swarm, assertBuilt, playThrough, runCli, type NodeProcess } from '../helpers/swarm.js';
import { waitFor } from '../helpers/wait.js';
import { grownBy, liveManifestOf } from '../helpers/live-manifests.js';

let swarm = new Swarm();
beforeAll(() => assertBuilt());
afterEach(async () => {
  await swarm.stop();
  swarm = new Swarm();
});

const noFfmpeg = lacks(requires.ffmpeg);
/** Bounds failures only: on a loaded 2-core machine three nodes, ffmpeg and the CLI share the cores. */
const SLOW_MS = 60_000;

async function sourceBytes(source: NodeProcess, manifest: LiveManifest): Promise<Buffer> {
  const client = new PeerClient({ timeoutMs: 10_000 });
  try {
    const parts: Buffer[] = [];
    for (const index of [-1, ...manifest.chunks.map((chunk) => chunk.index)]) {
      const request = { type: 'get', video: 'talk', index, fetchUpstream: false } as const;
      parts.push((await client.request(source.address, request)).body);
    }
    return Buffer.concat(parts);
  } finally {
    await client.close();
  }
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

describe.skipIf(noFfmpeg)('a live stream down the tree', () => {
  it('reaches a level-2 node by announcement, chunk by chunk, and then its end', async () => {
    const source = await swarm.start({ name: 'source' });
    const upper = await swarm.start({ name: 'upper', master: source });
    const lower = await swarm.start({ name: 'lower', master: upper });
    const started = await runCli(
      ['live', 'start', 'talk', '--store', source.store, '--input', 'testsrc:320x180@15'],
      { timeoutMs: SLOW_MS },
    );
    expect(started.code, started.stderr).toBe(0);
    await waitFor(
      async () => (await liveManifestOf(source, 'talk').catch(() => null))?.chunks.length,
      'a first chunk',
      SLOW_MS,
    );

    // The level-2 node plays what there is: it now holds the manifest (and level 1, which relayed).
    await playThrough(lower, 'talk');
    const held = await liveManifestOf(lower, 'talk');

    // From here nobody asks the lower node's masters for the manifest: it grows by announcements.
    const grown = await grownBy(lower, 'talk', held, 3, 'the level-2 copy to grow by 3 chunks', SLOW_MS);
    expect(grown.live.stream).toBe(held.live.stream);
    expect(signatureProblem(grown as Manifest)).toBeNull();
    expect(grown.chunks.map((chunk) => chunk.index)).toEqual(grown.chunks.map((_, position) => position));

    // What it now lists, it serves: the same bytes as the source's.
    const played = await playThrough(lower, 'talk');
    const listed = await liveManifestOf(lower, 'talk');
    expect(listed.chunks.length).toBeGreaterThanOrEqual(grown.chunks.length);
    expect(sha256(played.bytes)).toBe(sha256(await sourceBytes(source, listed)));

    // The end is announced too.
    const stopped = await runCli(['live', 'stop', 'talk', '--store', source.store], { timeoutMs: SLOW_MS });
    expect(stopped.code, stopped.stderr).toBe(0);
    const ended = await waitFor(
      async () => {
        const now = await liveManifestOf(lower, 'talk');
        return now.live.state === 'ended' && now;
      },
      'the level-2 copy to say the stream ended',
      SLOW_MS,
    );
    expect(signatureProblem(ended as Manifest)).toBeNull();
  }, 180_000);
});

describe.skipIf(noFfmpeg)('announce-live from anyone but the master, or forged', () => {
  it('is refused with why, and the copy a node holds stays as it was', async () => {
    const source = await swarm.start({ name: 'source' });
    const child = await swarm.start({ name: 'child', master: source });
    const started = await runCli(
      ['live', 'start', 'talk', '--store', source.store, '--input', 'testsrc:320x180@15'],
      { timeoutMs: SLOW_MS },
    );
    expect(started.code, started.stderr).toBe(0);
    await waitFor(
      async () => ((await liveManifestOf(source, 'talk').catch(() => null))?.chunks.length ?? 0) >= 2,
      'two chunks',
      SLOW_MS,
    );
    await runCli(['live', 'stop', 'talk', '--store', source.store], { timeoutMs: SLOW_MS });
    await playThrough(child, 'talk');
    const held = await liveManifestOf(child, 'talk');
    const last = held.chunks.at(-1)!;
    const next = { ...last, index: last.index + 1, start: last.start + last.duration };
    const forged: LiveManifest = {
      ...held,
      live: { ...held.live, state: 'live' },
      chunks: [next],
      duration: next.start + next.duration,
    };

    const client = new PeerClient({ timeoutMs: 10_000 });
    try {
      const send = (name: string, manifest: LiveManifest) =>
        client.request(child.address, { type: 'announce-live', name, manifest });
      await expect(send('stranger', held)).rejects.toThrow(/only from its current master/);
      // In its master's name, but the chunk's signature is another's and the header's state changed.
      await expect(send('source', forged)).rejects.toMatchObject({
        context: { remoteCode: 'UNTRUSTED_MANIFEST' },
        message: expect.stringMatching(/its signature/),
      });
    } finally {
      await client.close();
    }
    expect(await liveManifestOf(child, 'talk')).toEqual(held);
  }, 180_000);
});
