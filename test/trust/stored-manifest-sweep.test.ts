import { afterEach, describe, expect, it } from 'vitest';
import type { MediaManifest } from '../../core/shared/manifest.js';
import { SYNTHETIC_PUBLISHER, syntheticVideo, type SyntheticVideo } from '../../core/sim/synthetic-video.js';
import { ChunkStore } from '../../core/store/chunk-store.js';
import { loadOrCreatePublisherKey } from '../../core/trust/key-file.js';
import { storedManifestDigest } from '../../core/trust/manifest-digests.js';
import { manifestDigest, signManifest, signatureProblem } from '../../core/trust/manifest-signature.js';
import { generatePublisherKeyPair } from '../../core/trust/publisher-key.js';
import { PublisherTrust } from '../../core/trust/publisher-trust.js';
import { openStoreTrust, PINNED_PUBLISHER_SETTING } from '../../core/trust/store-trust.js';
import { sweepStoredManifests } from '../../core/trust/stored-manifest-sweep.js';
import { SettingsFile } from '../../core/store/settings-file.js';
import { silentLogger } from '../../core/util/logger.js';
import { seededRandom } from '../../core/util/random.js';
import { cleanupTempDirs, tempDir } from '../helpers/temp-dirs.js';

const stores: ChunkStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
  cleanupTempDirs();
});

const random = seededRandom(5);
function video(name: string, manifest?: (unsigned: MediaManifest) => MediaManifest): SyntheticVideo {
  const made = syntheticVideo(name, 3, 256, random);
  const { publisher: _p, signature: _s, ...unsigned } = made.manifest;
  return { ...made, manifest: manifest ? manifest(unsigned) : unsigned };
}

async function put(
  store: ChunkStore,
  { manifest, init, chunks }: SyntheticVideo,
  pinned: boolean,
): Promise<void> {
  store.putManifest(manifest);
  await store.putInit(manifest.name, init);
  for (const [index, chunk] of chunks.entries()) await store.putChunk(manifest.name, index, chunk);
  if (pinned) store.pinVideo(manifest.name, true);
}

describe('the stored manifests, checked against whom the node trusts', () => {
  it('signs its own unsigned videos, drops unsigned and untrusted cached ones, keeps the rest with their chunks', async () => {
    const dir = tempDir('sweep');
    const store = await ChunkStore.open(dir);
    stores.push(store);
    const intruder = generatePublisherKeyPair();
    await put(store, video('own-old'), true);
    await put(store, video('cached-old'), false);
    await put(
      store,
      video('forged', (m) => signManifest(m, intruder)),
      false,
    );
    await put(
      store,
      video('genuine', (m) => signManifest(m, SYNTHETIC_PUBLISHER)),
      false,
    );
    const trust = new PublisherTrust({
      isSource: false,
      pinned: { key: SYNTHETIC_PUBLISHER.publicKey, from: 'test', at: 'now' },
      logger: silentLogger(),
    });
    const unsignedDigest = storedManifestDigest(store, 'own-old');
    const result = await sweepStoredManifests(
      store,
      trust,
      () => loadOrCreatePublisherKey(dir),
      silentLogger(),
    );
    expect(result).toEqual({ kept: 1, signed: ['own-old'], dropped: ['cached-old', 'forged'] });
    expect(store.listVideos().map((entry) => entry.name)).toEqual(['genuine', 'own-old']);
    const own = store.getManifest('own-old')!;
    expect(signatureProblem(own)).toBeNull();
    expect(own.publisher).toBe((await loadOrCreatePublisherKey(dir)).publicKey);
    expect(trust.trusts(own.publisher)).toBe(true);
    // Signed again, it names other content: the digest the node sends is the new manifest's.
    expect(storedManifestDigest(store, 'own-old')).toBe(manifestDigest(own));
    expect(storedManifestDigest(store, 'own-old')).not.toBe(unsignedDigest);
    expect(storedManifestDigest(store, 'cached-old')).toBeUndefined();
    // Signing rewrote the manifest only: every chunk is still there.
    expect(store.heldChunks('own-old')).toHaveLength(4); // the init segment and 3 chunks
    // The next open finds nothing to do.
    const again = await sweepStoredManifests(
      store,
      trust,
      () => loadOrCreatePublisherKey(dir),
      silentLogger(),
    );
    expect(again).toEqual({ kept: 2, signed: [], dropped: [] });
  });

  it('keeps validly signed videos of any publisher until one is pinned', async () => {
    const store = await ChunkStore.open(tempDir('sweep-unpinned'));
    stores.push(store);
    await put(
      store,
      video('other', (m) => signManifest(m, generatePublisherKeyPair())),
      false,
    );
    const trust = new PublisherTrust({ isSource: false, logger: silentLogger() });
    const result = await sweepStoredManifests(
      store,
      trust,
      () => Promise.reject(new Error('unused')),
      silentLogger(),
    );
    expect(result.dropped).toEqual([]);
  });
});

describe("a store's trust settings", () => {
  it('keeps a pin learned on first use, and --publisher replaces it', async () => {
    const dir = tempDir('store-trust');
    const first = await openStoreTrust(dir, { isSource: false, logger: silentLogger() });
    first.learnFromMaster(SYNTHETIC_PUBLISHER.publicKey, { name: 'mit', address: 'tcp://10.0.0.2:8000' });
    await waitFor(
      async () => (await new SettingsFile(dir).read()).values[PINNED_PUBLISHER_SETTING] !== undefined,
    );
    const reopened = await openStoreTrust(dir, { isSource: false, logger: silentLogger() });
    expect(reopened.pinned?.key).toBe(SYNTHETIC_PUBLISHER.publicKey);
    const other = generatePublisherKeyPair().publicKey;
    const explicit = await openStoreTrust(dir, { isSource: false, publisher: other, logger: silentLogger() });
    expect(explicit.pinned).toMatchObject({ key: other, from: '--publisher' });
    expect((await openStoreTrust(dir, { isSource: false, logger: silentLogger() })).pinned?.key).toBe(other);
    // A link's key (--join) replaces it the same way, and the pin says where it came from.
    const linked = generatePublisherKeyPair().publicKey;
    const joined = await openStoreTrust(dir, {
      isSource: false,
      publisher: linked,
      publisherFlag: '--join',
      logger: silentLogger(),
    });
    expect(joined.pinned).toMatchObject({ key: linked, from: '--join' });
  });

  it('a malformed pin is ignored (learned again), not fatal', async () => {
    const dir = tempDir('store-trust-bad');
    await new SettingsFile(dir).update({ [PINNED_PUBLISHER_SETTING]: { key: 'nope', from: 1 } });
    const trust = await openStoreTrust(dir, { isSource: false, logger: silentLogger() });
    expect(trust.pinned).toBeUndefined();
  });
});

async function waitFor(check: () => Promise<boolean>): Promise<void> {
  for (let tries = 0; tries < 100; tries++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the pin was never written');
}
