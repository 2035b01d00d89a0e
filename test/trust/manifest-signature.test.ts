import { pack, unpack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { checkManifest } from '../../core/shared/manifest-schema.js';
import type { MediaManifest } from '../../core/shared/manifest.js';
import { SYNTHETIC_PUBLISHER, syntheticVideo } from '../../core/sim/synthetic-video.js';
import { manifestDigest, signManifest, signatureProblem } from '../../core/trust/manifest-signature.js';
import { generatePublisherKeyPair } from '../../core/trust/publisher-key.js';
import { seededRandom } from '../../core/util/random.js';

const signed = syntheticVideo('movie', 12, 64, seededRandom(3)).manifest;

function unsigned(manifest: MediaManifest): MediaManifest {
  const { publisher: _publisher, signature: _signature, ...rest } = manifest;
  return rest;
}

describe('manifest signatures', () => {
  it('verify a signed manifest, after it crossed the wire and the schema', () => {
    expect(signed.publisher).toBe(SYNTHETIC_PUBLISHER.publicKey);
    expect(signatureProblem(signed)).toBeNull();
    const read = checkManifest(unpack(pack(signed)));
    expect(read.problem).toBeUndefined();
    expect(signatureProblem(read.manifest!)).toBeNull();
  });

  it('do not depend on the order a peer wrote the fields in', () => {
    const reversed = Object.fromEntries(Object.entries(signed).reverse());
    expect(signatureProblem(checkManifest(reversed).manifest!)).toBeNull();
  });

  it('fail when any signed field changed', () => {
    const chunks = signed.chunks.map((chunk, index) =>
      index === 5 ? { ...chunk, sha256: 'f'.repeat(64) } : chunk,
    );
    expect(signatureProblem({ ...signed, chunks })).toMatch(/does not match its contents/);
    expect(signatureProblem({ ...signed, name: 'other' })).toMatch(/does not match its contents/);
    expect(signatureProblem({ ...signed, duration: signed.duration + 1 })).toMatch(/does not match/);
  });

  it('cannot be moved under another key', () => {
    const other = generatePublisherKeyPair();
    expect(signatureProblem({ ...signed, publisher: other.publicKey })).toMatch(/does not match/);
  });

  it('say an unsigned manifest is unsigned', () => {
    expect(signatureProblem(unsigned(signed))).toMatch(/unsigned/);
  });

  it('sign what the schema reads: a field it would drop is not signed', () => {
    const key = generatePublisherKeyPair();
    const withExtra = { ...unsigned(signed), extra: 'dropped by every reader' } as MediaManifest;
    const resigned = signManifest(withExtra, key);
    expect(resigned).not.toHaveProperty('extra');
    expect(signatureProblem(checkManifest({ ...resigned, extra: 'x' }).manifest!)).toBeNull();
  });

  it('refuse to sign a manifest the schema refuses, naming the field', () => {
    const broken = { ...unsigned(signed), duration: -1 };
    expect(() => signManifest(broken, SYNTHETIC_PUBLISHER)).toThrow(/cannot be signed: duration must be/);
  });

  it('schema: a signature without a publisher (or the reverse) is refused', () => {
    const { publisher: _p, ...noPublisher } = signed;
    expect(checkManifest(noPublisher).problem?.path).toBe('publisher');
    const { signature: _s, ...noSignature } = signed;
    expect(checkManifest(noSignature).problem?.path).toBe('signature');
    expect(checkManifest({ ...signed, publisher: 'NOT-A-KEY' }).problem?.path).toBe('publisher');
  });

  it('digests differ between publishers of the same video and versions of one', () => {
    const other = signManifest(signed, generatePublisherKeyPair());
    expect(manifestDigest(other)).not.toBe(manifestDigest(signed));
    expect(manifestDigest(signManifest(signed, SYNTHETIC_PUBLISHER))).toBe(manifestDigest(signed));
  });
});
