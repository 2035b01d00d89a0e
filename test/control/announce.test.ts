/**
 * A video added to a running node reaches every level's list-videos at once: the node announces a
 * change to its children, and each child takes its master's announcement as a hint: it asks its
 * master for the list, then passes the hint on. A list carried in an announcement is never used.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PeerClient } from '../../core/net/client.js';
import type { PeerNode } from '../../core/node/peer-node.js';
import { isPeerStreamerError } from '../../core/util/errors.js';
import { lacks, requires } from '../helpers/requirements.js';
import { Fixture, storeWith } from './helpers.js';
import { smallClip } from '../helpers/media-fixtures.js';
import { waitFor } from '../helpers/wait.js';

const noFfmpeg = lacks(requires.ffmpeg);

const fixture = new Fixture();
const peers = new PeerClient({ timeoutMs: 2_000 });
let source: PeerNode;
let relay: PeerNode;
let leaf: PeerNode;

beforeAll(async () => {
  const store = fixture.dir('source');
  await storeWith(store, 'movie', (await smallClip()).path);
  source = await fixture.node('source', store);
  relay = await fixture.node('relay', fixture.dir('relay'), source);
  leaf = await fixture.node('leaf', fixture.dir('leaf'), relay);
  await waitFor(
    () => leaf.link!.current() !== null && relay.registry.child('leaf') !== undefined,
    'the tree',
  );
}, 60_000);
afterAll(async () => {
  await peers.close();
  await fixture.cleanup();
});

async function listed(node: PeerNode): Promise<string[]> {
  const { reply } = await peers.request(node.address, { type: 'list-videos' });
  return reply.videos.map((video) => video.name);
}

describe.skipIf(noFfmpeg)('announce-videos', () => {
  it('a level-2 node lists a video added at the source well within a second, though its cache was fresh', async () => {
    // Fresh caches at both levels: without an announcement they would answer the old list for 2 s.
    expect(await listed(leaf)).toEqual(['movie']);
    const manifest = await source.addVideo((await smallClip()).path, { name: 'fresh' });
    const added = Date.now();
    await waitFor(async () => (await listed(leaf)).includes('fresh'), 'fresh at level 2', 1_000);
    const latency = Date.now() - added;
    console.info(`announce latency to level 2: ${latency} ms`);
    expect(latency).toBeLessThan(1_000);
    expect(await listed(relay)).toEqual(['fresh', 'movie']);
    // Pinned like the source's other videos, so no cache size evicts it.
    expect(source.store.listVideos().find((video) => video.name === 'fresh')).toMatchObject({
      pinned: true,
      chunksHeld: manifest.chunks.length,
    });
  });

  it('a node that is not the master is refused, and what it announced is not listed', async () => {
    const forged = {
      name: 'mallory',
      videos: [
        {
          name: 'fake',
          kind: 'fmp4' as const,
          duration: 1,
          width: 1,
          height: 1,
          chunks: 1,
          mimeType: 'video/mp4',
        },
      ],
    };
    const refusal = await peers.request(leaf.address, { type: 'announce-videos', ...forged }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(isPeerStreamerError(refusal)).toBe(true);
    expect((refusal as { context: { remoteCode: string } }).context.remoteCode).toBe('INVALID_ARGUMENT');
    expect((refusal as Error).message).toMatch(
      /"mallory" refused: this node takes announcements only from its current master/,
    );
    expect(await listed(leaf)).not.toContain('fake');
  });

  it("an announcement forged in the master's name is only a hint: the list it carries never shows", async () => {
    const before = await listed(relay);
    const forged = {
      name: 'relay',
      videos: [
        {
          name: 'forged',
          kind: 'fmp4' as const,
          duration: 1,
          width: 1,
          height: 1,
          chunks: 1,
          mimeType: 'video/mp4',
        },
      ],
    };
    // Accepted (an older master sends its list this way), and also without any list (a newer one).
    await peers.request(leaf.address, { type: 'announce-videos', ...forged });
    await peers.request(leaf.address, { type: 'announce-videos', name: 'relay' });
    // The leaf asked its real master instead: its library is the master's, at once and after.
    for (let i = 0; i < 5; i++) expect(await listed(leaf)).toEqual(before);
    expect(await listed(relay)).not.toContain('forged');
  });

  it('a malformed announcement is refused at the door with the field it got wrong', async () => {
    const refusal = await peers
      .request(leaf.address, { type: 'announce-videos', name: 'relay', videos: [{ name: '' }] } as never)
      .then(
        () => null,
        (error: unknown) => error,
      );
    // The client validates before sending: a bad announcement never leaves this process either.
    expect((refusal as { code: string }).code).toBe('INVALID_ARGUMENT');
    expect((refusal as Error).message).toMatch(/videos\[0\]/);
  });
});
