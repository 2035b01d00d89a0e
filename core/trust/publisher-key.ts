/**
 * Publisher keys: Ed25519 key pairs (node:crypto), written as PUBLISHER_KEY text (core/shared).
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { PUBLISHER_KEY, PUBLISHER_KEY_CHARS } from '../shared/publisher.js';
import { base32Decode, base32Encode } from './base32.js';

export interface PublisherKeyPair {
  /** The public key as text: what manifests, links and flags carry. */
  publicKey: string;
  privateKey: KeyObject;
}

const ED25519_KEY_BYTES = 32;

/** The PKCS#8 DER of an Ed25519 private key, up to its 32-byte seed (RFC 8410). */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * The key pair grown from a 32-byte seed: the same seed, the same key. For simulations and tests,
 * whose runs must repeat exactly; a real store's key comes from generatePublisherKeyPair.
 */
export function publisherKeyPairFromSeed(seed: Uint8Array): PublisherKeyPair {
  if (seed.byteLength !== 32) throw new RangeError(`an Ed25519 seed is 32 bytes, not ${seed.byteLength}`);
  const der = Buffer.concat([ED25519_PKCS8_PREFIX, seed]);
  return keyPairOf(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }));
}

export function generatePublisherKeyPair(): PublisherKeyPair {
  const { privateKey } = generateKeyPairSync('ed25519');
  return keyPairOf(privateKey);
}

/** The pair of a private key read from a PKCS#8 PEM file; throws when it is not an Ed25519 key. */
export function publisherKeyPairFromPem(pem: string): PublisherKeyPair {
  const privateKey = createPrivateKey({ key: pem, format: 'pem' });
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new Error(`it holds a ${privateKey.asymmetricKeyType ?? 'symmetric'} key, not an Ed25519 one`);
  }
  return keyPairOf(privateKey);
}

export function privateKeyPem(pair: PublisherKeyPair): string {
  return pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

function keyPairOf(privateKey: KeyObject): PublisherKeyPair {
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  return { publicKey: base32Encode(Buffer.from(jwk.x!, 'base64url')), privateKey };
}

/** Why `text` is not a publisher key, in words that follow "it", or null. */
export function publisherKeyProblem(text: unknown): string | null {
  if (typeof text !== 'string') return 'must be text';
  if (text.length !== PUBLISHER_KEY_CHARS) {
    return `must be ${PUBLISHER_KEY_CHARS} characters long, not ${text.length}`;
  }
  if (!PUBLISHER_KEY.test(text)) return 'may hold only the letters a-z and the digits 2-7';
  const bytes = base32Decode(text);
  if (bytes === null || bytes.length !== ED25519_KEY_BYTES)
    return 'is not a whole Ed25519 key (its last character is off)';
  return null;
}

/** Parsed public keys, so verifying a video's manifests again does not parse its key again. */
const publicKeys = new Map<string, KeyObject>();
const MAX_CACHED_KEYS = 256;

/** The KeyObject of a key already checked by publisherKeyProblem (or the manifest schema). */
export function publicKeyObject(key: string): KeyObject | null {
  const cached = publicKeys.get(key);
  if (cached !== undefined) return cached;
  const bytes = base32Decode(key);
  if (bytes === null || bytes.length !== ED25519_KEY_BYTES) return null;
  let object: KeyObject;
  try {
    object = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: bytes.toString('base64url') },
      format: 'jwk',
    });
  } catch {
    return null;
  }
  if (publicKeys.size >= MAX_CACHED_KEYS) publicKeys.clear();
  publicKeys.set(key, object);
  return object;
}

/** An Ed25519 signature of `bytes` by `key`, as manifests carry it: base64url, no padding. */
export function signBytes(bytes: Buffer, key: PublisherKeyPair): string {
  return sign(null, bytes, key.privateKey).toString('base64url');
}

/** Whether `signature` (base64url text) is `key`'s over `bytes`. */
export function signatureVerifies(bytes: Buffer, key: KeyObject, signature: string): boolean {
  try {
    return verify(null, bytes, key, Buffer.from(signature, 'base64url'));
  } catch {
    // A key or signature node:crypto cannot use is no valid signature, whatever the reason.
    return false;
  }
}
