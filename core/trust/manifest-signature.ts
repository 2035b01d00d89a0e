/**
 * A publisher's signature over a manifest. The signed bytes are a context line and the canonical
 * JSON of the manifest as its schema reads it, without `signature` and with `publisher`: the key is
 * signed too, so a signature cannot be moved under another key's name. The schema's reading is what
 * is signed, so two nodes that read a manifest alike agree on its bytes whatever a peer's encoder
 * did with field order or fields this version does not know.
 */
import { createHash } from 'node:crypto';
import type { Manifest } from '../shared/manifest.js';
import { checkManifest, describeManifestProblem } from '../shared/manifest-schema.js';
import { PeerStreamerError } from '../util/errors.js';
import { publisherFingerprint } from '../shared/publisher.js';
import { canonicalJson } from './canonical-json.js';
import {
  isLiveManifest,
  liveSignatureProblem,
  liveStreamDigest,
  signLiveManifest,
} from './live-signature.js';
import { publicKeyObject, signatureVerifies, signBytes, type PublisherKeyPair } from './publisher-key.js';

/** Says what the bytes are, so a signature over a manifest is never valid as anything else. */
const CONTEXT = 'peerstreamer manifest signature v1\n';

function signedBytes(manifest: Manifest, publisher: string): Buffer {
  const { signature: _signature, ...fields } = manifest;
  return Buffer.from(CONTEXT + canonicalJson({ ...fields, publisher }), 'utf8');
}

/**
 * `manifest` as its schema reads it, signed by `key` (any earlier signature replaced). Signing the
 * schema's reading rather than the object given means a field the schema would drop on the way to
 * another node cannot end up under the signature there. A live stream's manifest is signed as one
 * (live-signature.ts): its header and each of its chunks.
 */
export function signManifest<M extends Manifest>(manifest: M, key: PublisherKeyPair): M {
  if (isLiveManifest(manifest)) return signLiveManifest(manifest, key) as M;
  const { signature: _old, publisher: _oldKey, ...unsigned } = manifest;
  const read = checkManifest(unsigned);
  if (read.problem !== undefined) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `The manifest of ${JSON.stringify(manifest.name)} cannot be signed: ${describeManifestProblem(read.problem)}.`,
      { video: manifest.name },
    );
  }
  const signature = signBytes(signedBytes(read.manifest, key.publicKey), key);
  return { ...read.manifest, publisher: key.publicKey, signature } as M;
}

/**
 * Why the manifest's signature does not hold, as a clause after "its signature", or null when it
 * does. A live stream's manifest holds when its header and every one of its chunks do.
 */
export function signatureProblem(manifest: Manifest): string | null {
  if (isLiveManifest(manifest)) return liveSignatureProblem(manifest);
  if (manifest.publisher === undefined || manifest.signature === undefined)
    return 'is missing (it is unsigned)';
  const key = publicKeyObject(manifest.publisher);
  if (key === null)
    return `names a publisher key (${publisherFingerprint(manifest.publisher)}) that is not an Ed25519 key`;
  return signatureVerifies(signedBytes(manifest, manifest.publisher), key, manifest.signature)
    ? null
    : `does not match its contents under publisher ${publisherFingerprint(manifest.publisher)} (it was changed after signing, or forged)`;
}

/**
 * What names this exact signed manifest: sha256 of its signed bytes and signature. Two manifests of
 * one name from different publishers, or different versions from one, have different digests. A
 * live stream's names the stream instead (liveStreamDigest), the same while it grows and ends.
 */
export function manifestDigest(manifest: Manifest): string {
  if (isLiveManifest(manifest)) return liveStreamDigest(manifest);
  const hash = createHash('sha256');
  hash.update(signedBytes(manifest, manifest.publisher ?? ''));
  hash.update(manifest.signature ?? '');
  return hash.digest('hex');
}
