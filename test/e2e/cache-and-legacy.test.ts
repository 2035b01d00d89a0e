/** A node with a small cache still plays everything; a legacy video streams as its original bytes. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SWARM_TIMEOUT_MS, Swarm, assertBuilt, runCli, statsOf } from '../helpers/swarm.js';
import { sourceStore, type SourceStore } from '../helpers/source-store.js';
import { smallClip } from '../helpers/media-fixtures.js';
import { lacks, requires } from '../helpers/requirements.js';
import { waitFor } from '../helpers/wait.js';

const noFfmpeg = lacks(requires.ffmpeg);

const swarm = new Swarm();
let source: SourceStore;

beforeAll(async () => {
  assertBuilt();
  source = await sourceStore(swarm);
}, SWARM_TIMEOUT_MS);
afterAll(() => swarm.stop());

describe.skipIf(noFfmpeg)(
  'cache size and legacy videos across the tree',
  { timeout: SWARM_TIMEOUT_MS },
  () => {
    it('a child with a cache smaller than the video plays it byte-identically and stays near its cap', async () => {
      const src = await swarm.start({ name: 'source', store: source.store });
      const cap = 200 * 1024;
      expect(source.exported.length).toBeGreaterThan(cap * 3);
      const small = await swarm.start({ name: 'small', master: src, extra: ['--cache-size', `${cap}`] });
      const out = path.join(swarm.dir('out'), 'movie.mp4');
      const played = await runCli(['play', '--from', small.address, 'movie', '-o', out]);
      expect(played.code, played.stderr).toBe(0);
      expect(readFileSync(out)).toEqual(source.exported);
      const largest = Math.max(
        ...source.manifest.chunks.map((chunk) => chunk.size),
        source.manifest.init.size,
      );
      // While the stream held chunks pinned the store could be over its cap; once the node has
      // let go of them (its end of the stream may come a moment after the player's), it is back.
      const stats = await waitFor(
        async () => {
          const now = await statsOf(small);
          return now.bytesHeld <= cap + largest && now;
        },
        `the store back under ${cap + largest} bytes`,
      );
      expect(stats.capacityBytes).toBe(cap);
    });

    it('a legacy (byte-split) video streams through a child as the original bytes', async () => {
      const original = readFileSync((await smallClip(20)).path);
      const db = swarm.dir('legacy-db');
      const pieces = Math.ceil(original.length / 65_536);
      mkdirSync(path.join(db, 'oldmovie'));
      for (let n = 0; n < pieces; n++) {
        writeFileSync(
          path.join(db, 'oldmovie', `${n}.chunk`),
          original.subarray(n * 65_536, (n + 1) * 65_536),
        );
      }
      writeFileSync(path.join(db, 'manifest.json'), JSON.stringify({ oldmovie: pieces }));
      const store = swarm.dir('legacy-store');
      const imported = await runCli(['import-legacy', db, '--store', store]);
      expect(imported.code, imported.stderr).toBe(0);
      const src = await swarm.start({ name: 'legacy-source', store });
      const child = await swarm.start({ name: 'child', master: src });
      const out = path.join(swarm.dir('out'), 'old.bin');
      const played = await runCli(['play', '--from', child.address, 'oldmovie', '-o', out]);
      expect(played.code, played.stderr).toBe(0);
      expect(readFileSync(out).equals(original)).toBe(true);
      const seek = await runCli(['play', '--from', child.address, 'oldmovie', '--start', '5', '-o', out]);
      expect(seek.code).toBe(2);
      expect(seek.stderr).toContain('legacy byte-split video');
    });
  },
);
