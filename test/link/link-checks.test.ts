import { describe, expect, it } from 'vitest';
import { listedPublisher } from '../../core/link/listed-publisher.js';
import { assertLinkManifest } from '../../core/link/trusted-manifest.js';
import type { VideoInfo } from '../../core/protocol/messages.js';
import { SYNTHETIC_PUBLISHER, syntheticVideo } from '../../core/sim/synthetic-video.js';
import { publisherFingerprint } from '../../core/shared/publisher.js';
import { generatePublisherKeyPair } from '../../core/trust/publisher-key.js';
import { seededRandom } from '../../core/util/random.js';

const at = 'tcp://127.0.0.1:7000';
const info = (name: string, publisher?: string): VideoInfo => ({
  name,
  kind: 'fmp4',
  duration: 4,
  width: 320,
  height: 240,
  chunks: 2,
  mimeType: 'video/mp4',
  ...(publisher === undefined ? {} : { publisher }),
});

function thrown(work: () => unknown): { code: string; message: string } {
  try {
    work();
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('it did not throw');
}

describe("a link's publisher, from the node's list", () => {
  const key = SYNTHETIC_PUBLISHER.publicKey;

  it("is the listed video's publisher key", () => {
    expect(listedPublisher('movie', [info('other'), info('movie', key)], at)).toBe(key);
  });

  it('is VIDEO_NOT_FOUND naming the video, the node and the list to look at', () => {
    const error = thrown(() => listedPublisher('Movie', [info('movie', key)], at));
    expect(error.code).toBe('VIDEO_NOT_FOUND');
    expect(error.message).toContain('"Movie"');
    expect(error.message).toContain(`peerstreamer ls --from ${at}`);
  });

  it('refuses an unsigned video, saying to add it again so it is signed', () => {
    const error = thrown(() => listedPublisher('movie', [info('movie')], at));
    expect(error.code).toBe('UNTRUSTED_MANIFEST');
    expect(error.message).toMatch(/"movie" at tcp:\/\/127\.0\.0\.1:7000 is unsigned/);
    expect(error.message).toContain('--replace');
  });
});

describe("a link player's check of the manifest", () => {
  const manifest = syntheticVideo('movie', 2, 1_024, seededRandom(1)).manifest;
  const linked = SYNTHETIC_PUBLISHER.publicKey;

  it("passes a manifest signed by the link's publisher", () => {
    expect(() => assertLinkManifest(manifest, linked, at)).not.toThrow();
  });

  it('refuses another publisher’s manifest with UNTRUSTED_MANIFEST naming both fingerprints', () => {
    const other = generatePublisherKeyPair().publicKey;
    const error = thrown(() => assertLinkManifest(manifest, other, at));
    expect(error.code).toBe('UNTRUSTED_MANIFEST');
    expect(error.message).toContain(publisherFingerprint(linked));
    expect(error.message).toContain(publisherFingerprint(other));
    expect(error.message).toContain(at);
  });

  it('refuses a manifest changed after signing, and an unsigned one', () => {
    const changed = { ...manifest, duration: manifest.duration! + 1 };
    expect(thrown(() => assertLinkManifest(changed, linked, at)).message).toMatch(/changed after signing/);
    const { publisher: _p, signature: _s, ...unsigned } = manifest;
    expect(thrown(() => assertLinkManifest(unsigned, linked, at)).message).toMatch(/unsigned/);
  });
});
