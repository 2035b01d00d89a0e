/**
 * The attack that opened issue 10, with real processes: a level-1 node adds its own file under the
 * swarm's name `movie`. Every node below it used to play the forgery byte for byte. Now they trust
 * the publisher their first master vouched for (the source's key, passed down the tree), refuse the
 * forged manifest, and play the source's video, byte for byte, from the master's own master.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MediaManifest } from '../../core/shared/manifest.js';
import { smallClip } from '../helpers/media-fixtures.js';
import { lacks, requires } from '../helpers/requirements.js';
import { sourceStore, type SourceStore } from '../helpers/source-store.js';
import {
  SWARM_TIMEOUT_MS,
  Swarm,
  assertBuilt,
  playThrough,
  runCli,
  statsOf,
  type NodeProcess,
} from '../helpers/swarm.js';
import { waitFor } from '../helpers/wait.js';

const noFfmpeg = lacks(requires.ffmpeg);
const swarm = new Swarm();
let source: SourceStore;
let root: NodeProcess;
let mit: NodeProcess;
let forged: MediaManifest;

async function trusted(node: NodeProcess): Promise<string | null> {
  return (await statsOf(node)).trust?.publisher ?? null;
}

beforeAll(async () => {
  if (noFfmpeg) return;
  assertBuilt();
  source = await sourceStore(swarm, 'movie', 6);
  root = await swarm.start({ name: 'source', store: source.store });
  mit = await swarm.start({ name: 'mit', master: root });
  await waitFor(async () => (await trusted(mit)) !== null, 'mit learned the publisher from the source');
  // mit publishes its own `movie` through its control channel, as its owner would.
  const added = await runCli([
    'add',
    (await smallClip(4)).path,
    '--store',
    mit.store,
    '--name',
    'movie',
    '--json',
  ]);
  expect(added.code, added.stderr).toBe(0);
  forged = JSON.parse(added.stdout) as MediaManifest;
}, SWARM_TIMEOUT_MS);
afterAll(() => swarm.stop());

describe.skipIf(noFfmpeg)(
  'a level-1 node that publishes its own "movie"',
  { timeout: SWARM_TIMEOUT_MS },
  () => {
    it('signs it with its own key, not the source’s', async () => {
      const readyPublisher = (await root.ready).publisher;
      expect(source.manifest.publisher).toBe(readyPublisher);
      expect(forged.publisher).toMatch(/^[a-z2-7]{52}$/);
      expect(forged.publisher).not.toBe(source.manifest.publisher);
      expect(await trusted(mit)).toBe(source.manifest.publisher);
    });

    it.each([
      ['with --supermaster', true],
      ['with no supermaster named (the master’s own master)', false],
    ])(
      'a node below it %s plays the source’s video byte for byte, refusing the forgery',
      async (_what, named) => {
        const name = named ? 'alice' : 'bob';
        const viewer = await swarm.start({ name, master: mit, ...(named ? { supermaster: root } : {}) });
        await waitFor(async () => (await trusted(viewer)) !== null, `${name} learned the publisher from mit`);
        expect(await trusted(viewer)).toBe(source.manifest.publisher);
        const played = await playThrough(viewer, 'movie');
        expect(played.bytes.equals(source.exported)).toBe(true);
        const stats = await statsOf(viewer);
        expect(stats.trust?.refusedManifests).toBeGreaterThanOrEqual(1);
        // Its library lists the video as the source's, whatever mit keeps under the name.
        const listed = await runCli(['ls', '--store', viewer.store, '--json']);
        const [video] = JSON.parse(listed.stdout) as Array<{ manifest: MediaManifest }>;
        expect(video!.manifest.publisher).toBe(source.manifest.publisher);
      },
    );
  },
);
