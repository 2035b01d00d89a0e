import { describe, expect, it } from 'vitest';
import { SYNTHETIC_PUBLISHER, syntheticVideo } from '../../core/sim/synthetic-video.js';
import { signManifest } from '../../core/trust/manifest-signature.js';
import { generatePublisherKeyPair } from '../../core/trust/publisher-key.js';
import { PublisherTrust, type PinnedPublisher } from '../../core/trust/publisher-trust.js';
import { isPeerStreamerError } from '../../core/util/errors.js';
import { silentLogger } from '../../core/util/logger.js';
import { seededRandom } from '../../core/util/random.js';

const genuine = syntheticVideo('movie', 4, 64, seededRandom(9)).manifest;
const intruder = generatePublisherKeyPair();
const forged = signManifest(genuine, intruder);
const mit = { name: 'mit', address: 'tcp://10.0.0.2:8000' };

function child(pinned?: PinnedPublisher): { trust: PublisherTrust; saved: PinnedPublisher[] } {
  const saved: PinnedPublisher[] = [];
  const trust = new PublisherTrust({
    isSource: false,
    ...(pinned ? { pinned } : {}),
    savePin: (pin) => saved.push(pin),
    logger: silentLogger(),
    now: () => Date.UTC(2026, 11, 2),
  });
  return { trust, saved };
}

function refusal(run: () => void): string {
  try {
    run();
  } catch (error) {
    expect(isPeerStreamerError(error, 'UNTRUSTED_MANIFEST')).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected UNTRUSTED_MANIFEST');
}

describe('PublisherTrust', () => {
  it('pins the publisher its first master vouches for, keeps it, and vouches for it to its own children', () => {
    const { trust, saved } = child();
    expect(trust.swarmPublisher()).toBeUndefined();
    trust.learnFromMaster(SYNTHETIC_PUBLISHER.publicKey, mit);
    expect(saved).toEqual([
      {
        key: SYNTHETIC_PUBLISHER.publicKey,
        from: 'master mit at tcp://10.0.0.2:8000',
        at: '2026-12-02T00:00:00.000Z',
      },
    ]);
    expect(trust.swarmPublisher()).toBe(SYNTHETIC_PUBLISHER.publicKey);
    expect(() => trust.accept(genuine, mit)).not.toThrow();
  });

  it('refuses a video signed by another key, naming both fingerprints and what to do', () => {
    const { trust } = child();
    trust.learnFromMaster(SYNTHETIC_PUBLISHER.publicKey, mit);
    const message = refusal(() => trust.accept(forged, mit));
    expect(message).toContain(`signed by publisher ${intruder.publicKey.slice(0, 8)}`);
    expect(message).toContain(`trusts publisher ${SYNTHETIC_PUBLISHER.publicKey.slice(0, 8)}`);
    expect(message).toContain('--publisher <key>');
    expect(message).toContain('mit (tcp://10.0.0.2:8000)');
    expect(trust.refused).toBe(1);
  });

  it('refuses unsigned and tampered manifests, even before a publisher is pinned', () => {
    const { trust, saved } = child();
    const { publisher: _p, signature: _s, ...bare } = genuine;
    expect(refusal(() => trust.accept(bare, mit))).toMatch(/unsigned/);
    const chunks = genuine.chunks.map((chunk) => ({ ...chunk, size: chunk.size + 1 }));
    expect(refusal(() => trust.accept({ ...genuine, chunks }, mit))).toMatch(/does not match its contents/);
    expect(saved).toEqual([]);
  });

  it('with no publisher vouched for, pins the first signed manifest and refuses another key after it', () => {
    const { trust, saved } = child();
    trust.accept(genuine, mit);
    expect(saved[0]?.key).toBe(SYNTHETIC_PUBLISHER.publicKey);
    expect(saved[0]?.from).toContain('the first video, "movie", from mit');
    refusal(() => trust.accept(forged, mit));
  });

  it('a later master vouching for another key is counted and logged, never believed', () => {
    const { trust, saved } = child({ key: SYNTHETIC_PUBLISHER.publicKey, from: '--publisher', at: 'then' });
    trust.learnFromMaster(intruder.publicKey, mit);
    trust.learnFromMaster(intruder.publicKey, mit);
    expect(trust.mismatches).toBe(1);
    expect(saved).toEqual([]);
    expect(trust.swarmPublisher()).toBe(SYNTHETIC_PUBLISHER.publicKey);
    refusal(() => trust.accept(forged, mit));
  });

  it('a source vouches for its own key and learns none', () => {
    const own = generatePublisherKeyPair();
    const trust = new PublisherTrust({ isSource: true, own: own.publicKey, logger: silentLogger() });
    expect(trust.swarmPublisher()).toBe(own.publicKey);
    trust.learnFromMaster(intruder.publicKey, mit);
    expect(trust.swarmPublisher()).toBe(own.publicKey);
    refusal(() => trust.accept(genuine, mit));
  });

  it("a child's own videos are trusted by it, but never vouched for to its children", () => {
    const own = generatePublisherKeyPair();
    const { trust } = child();
    trust.setOwn(own.publicKey);
    expect(trust.trusts(own.publicKey)).toBe(true);
    expect(trust.swarmPublisher()).toBeUndefined();
  });
});
