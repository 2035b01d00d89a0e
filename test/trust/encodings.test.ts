import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode } from '../../core/trust/base32.js';
import { canonicalJson } from '../../core/trust/canonical-json.js';
import { generatePublisherKeyPair, publisherKeyProblem } from '../../core/trust/publisher-key.js';
import { PUBLISHER_KEY, publisherFingerprint } from '../../core/shared/publisher.js';

describe('base32 (publisher keys)', () => {
  it('round-trips any bytes, in lower case and without padding', () => {
    for (let length = 0; length <= 40; length++) {
      const bytes = randomBytes(length);
      const text = base32Encode(bytes);
      expect(text).toMatch(/^[a-z2-7]*$/);
      expect(text.length).toBe(Math.ceil((length * 8) / 5));
      expect(base32Decode(text)).toEqual(bytes);
    }
  });

  it('matches RFC 4648 test vectors (lower-cased, unpadded)', () => {
    expect(base32Encode(Buffer.from('foobar'))).toBe('mzxw6ytboi');
    expect(base32Encode(Buffer.from('f'))).toBe('my');
  });

  it('refuses text that is not the one spelling of its bytes', () => {
    expect(base32Decode('mz')).toBeNull(); // 'f' is "my": the spare bits of "z" are not zero
    expect(base32Decode('MY')).toBeNull();
    expect(base32Decode('m1')).toBeNull();
    expect(base32Decode('myy')).toBeNull(); // a whole character too many
  });
});

describe('publisher keys', () => {
  it('are 52 characters of a-z and 2-7, with an 8-character fingerprint that is their start', () => {
    const { publicKey } = generatePublisherKeyPair();
    expect(publicKey).toMatch(PUBLISHER_KEY);
    expect(publisherKeyProblem(publicKey)).toBeNull();
    expect(publisherFingerprint(publicKey)).toBe(publicKey.slice(0, 8));
  });

  it.each([
    [42, 'must be text'],
    ['abc', 'must be 52 characters long, not 3'],
    ['A'.repeat(52), 'may hold only the letters a-z and the digits 2-7'],
    ['a'.repeat(51) + 'b', 'is not a whole Ed25519 key'],
  ])('refuses %j: it %s', (text, problem) => {
    expect(publisherKeyProblem(text)).toContain(problem);
  });
});

describe('canonical JSON', () => {
  it('sorts keys at every depth, drops undefined fields and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: [{ y: 2, x: undefined, w: 'é' }, 3], c: null })).toBe(
      '{"a":[{"w":"é","y":2},3],"b":1,"c":null}',
    );
  });

  it('writes numbers in their shortest round-trip form', () => {
    expect(canonicalJson([0.1 + 0.2, 2.002, 1e21, -0])).toBe('[0.30000000000000004,2.002,1e+21,0]');
  });

  it('refuses what JSON cannot carry', () => {
    expect(() => canonicalJson(Number.NaN)).toThrow(/no JSON form/);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(/no JSON form/);
  });
});
