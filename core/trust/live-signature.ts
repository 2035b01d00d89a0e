/**
 * A live stream's signatures. Its manifest grows a chunk a second, so it is not signed as a whole
 * (manifest-signature.ts) but in parts that never change once made:
 * - the header (the manifest but `chunks` and `duration`), signed when the stream starts and again
 *   when it ends or fails, so its state is the publisher's word too;
 * - each chunk, signed once, when it is made, bound to the publisher, the video's name, the stream
 *   and its place in it, so it cannot be replayed into another stream, another video or another
 *   position.
 * `duration` is left out of the header because it moves with every chunk; it is where the last
 * chunk ends (the schema checks that), and each chunk's times are signed. What the list itself
 * holds is not signed: a relay can leave out its newest chunks (it can delay a stream, not forge it).
 *
 * Each kind of signed bytes starts with its own context line, so no signature is valid as another
 * kind: not a header as a whole manifest, not a chunk as a header, and the reverse.
 */
import { createHash, type KeyObject } from 'node:crypto';
import type { LiveChunkEntry, LiveHeader, LiveManifest } from '../shared/manifest.js';
import {
  checkLiveChunk,
  checkLiveHeader,
  checkManifest,
  describeManifestProblem,
} from '../shared/manifest-schema.js';
import { publisherFingerprint } from '../shared/publisher.js';
import { PeerStreamerError } from '../util/errors.js';
import { canonicalJson } from './canonical-json.js';
import { publicKeyObject, signatureVerifies, signBytes, type PublisherKeyPair } from './publisher-key.js';

const HEADER_CONTEXT = 'peerstreamer live header signature v1\n';
const CHUNK_CONTEXT = 'peerstreamer live chunk signature v1\n';
const DIGEST_CONTEXT = 'peerstreamer live stream digest v1\n';

/** A chunk entry before it is signed: what the source's cutter knows of it, and its index. */
export type UnsignedLiveChunk = Omit<LiveChunkEntry, 'signature'>;

/** What a chunk's signature binds it to besides its own fields. */
type ChunkOwner = Pick<LiveHeader, 'name' | 'live'>;

// Here as well, where the signatures are: callers that check a live manifest find it beside them.
export { isLiveManifest } from '../shared/manifest.js';

function headerBytes(header: LiveHeader, publisher: string): Buffer {
  // A whole manifest may be given: its chunks and duration are not the header's.
  const {
    signature: _signature,
    chunks: _chunks,
    duration: _duration,
    ...fields
  } = header as LiveHeader & Partial<Pick<LiveManifest, 'chunks' | 'duration'>>;
  return Buffer.from(HEADER_CONTEXT + canonicalJson({ ...fields, publisher }), 'utf8');
}

function chunkBytes(owner: ChunkOwner, publisher: string, chunk: UnsignedLiveChunk): Buffer {
  const { index, start, duration, size, sha256, captureTime, discontinuity } = chunk;
  const fields = { publisher, name: owner.name, stream: owner.live.stream };
  return Buffer.from(
    CHUNK_CONTEXT +
      canonicalJson({ ...fields, index, start, duration, size, sha256, captureTime, discontinuity }),
    'utf8',
  );
}

/**
 * A live stream's header as its schema reads it, signed by `key` (any earlier signature replaced):
 * at the stream's start, and again when its state changes.
 */
export function signLiveHeader(header: LiveHeader, key: PublisherKeyPair): LiveHeader {
  const { signature: _old, publisher: _oldKey, ...unsigned } = header;
  const read = checkLiveHeader(unsigned);
  if (read.problem !== undefined) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `The live header of ${JSON.stringify(header.name)} cannot be signed: ${describeManifestProblem(read.problem)}.`,
      { video: header.name },
    );
  }
  const signature = signBytes(headerBytes(read.header, key.publicKey), key);
  return { ...read.header, publisher: key.publicKey, signature };
}

/**
 * `chunk` as its schema reads it, signed by `key` for the stream `owner` names. Signs this chunk
 * alone: what a source does for each new chunk, whatever the length of the stream so far.
 */
export function signLiveChunk(
  owner: ChunkOwner,
  chunk: UnsignedLiveChunk,
  key: PublisherKeyPair,
): LiveChunkEntry {
  const { signature: _old, ...unsigned } = chunk as LiveChunkEntry;
  const read = checkLiveChunk(unsigned);
  if (read.problem !== undefined) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `Chunk ${chunk.index} of the live stream ${JSON.stringify(owner.name)} cannot be signed: ${describeManifestProblem(read.problem)}.`,
      { video: owner.name, index: chunk.index },
    );
  }
  return { ...read.chunk, signature: signBytes(chunkBytes(owner, key.publicKey, read.chunk), key) };
}

/**
 * A whole live manifest, signed anew: its header and every chunk. For a manifest that must be signed
 * again as it stands (signManifest); a source adds chunks with signLiveChunk.
 */
export function signLiveManifest(manifest: LiveManifest, key: PublisherKeyPair): LiveManifest {
  const { signature: _old, publisher: _oldKey, ...rest } = manifest;
  const chunks = rest.chunks.map(({ signature: _chunkSignature, ...chunk }) => chunk);
  const read = checkManifest({ ...rest, chunks });
  if (read.problem !== undefined) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `The manifest of ${JSON.stringify(manifest.name)} cannot be signed: ${describeManifestProblem(read.problem)}.`,
      { video: manifest.name },
    );
  }
  const live = read.manifest as LiveManifest;
  const signature = signBytes(headerBytes(live, key.publicKey), key);
  return {
    ...live,
    publisher: key.publicKey,
    signature,
    chunks: live.chunks.map((chunk) => ({
      ...chunk,
      signature: signBytes(chunkBytes(live, key.publicKey, chunk), key),
    })),
  };
}

/** The key to check a live stream's signatures by, or why there is none, in words after "its signature". */
function signerKey(publisher: string | undefined): KeyObject | string {
  if (publisher === undefined) return 'is missing (it is unsigned)';
  return (
    publicKeyObject(publisher) ??
    `names a publisher key (${publisherFingerprint(publisher)}) that is not an Ed25519 key`
  );
}

/** Null when `chunk`'s signature holds, else the words that follow "its signature". */
function chunkSignatureProblem(
  owner: ChunkOwner,
  publisher: string,
  key: KeyObject,
  chunk: UnsignedLiveChunk & { signature?: string },
  which: string,
): string | null {
  if (chunk.signature === undefined) return `is missing (${which} is unsigned)`;
  return signatureVerifies(chunkBytes(owner, publisher, chunk), key, chunk.signature)
    ? null
    : `does not match ${which} under publisher ${publisherFingerprint(publisher)} (it was changed after signing, or taken from another stream, video or position)`;
}

/**
 * Why a live manifest's signatures do not hold, as a clause after "its signature", or null when
 * they do: the header's first, then each chunk's in order, the first that fails named by its place
 * and index (`on chunks[3] (index 120) does not match the chunk ...`). Checks every chunk: for a
 * manifest fetched whole; a chunk announced on its own is checked with liveChunkProblem.
 */
export function liveSignatureProblem(manifest: LiveManifest): string | null {
  const key = signerKey(manifest.signature === undefined ? undefined : manifest.publisher);
  if (typeof key === 'string') return key;
  const publisher = manifest.publisher!;
  if (!signatureVerifies(headerBytes(manifest, publisher), key, manifest.signature!)) {
    return `does not match the live stream's header under publisher ${publisherFingerprint(publisher)} (it was changed after signing, or forged)`;
  }
  for (const [position, chunk] of manifest.chunks.entries()) {
    const problem = chunkSignatureProblem(manifest, publisher, key, chunk, 'the chunk');
    if (problem !== null) return `on chunks[${position}] (index ${chunk.index}) ${problem}`;
  }
  return null;
}

/**
 * Why one chunk entry is not the publisher's for the stream `header` describes, as a clause after
 * "its signature", or null when it is: what a child checks when its master announces a new chunk.
 * `header` is one already believed (its own signature checked, by signatureProblem and the node's
 * PublisherTrust, when its manifest was fetched); it is not checked again here, so each chunk costs
 * one verification. Where the chunk sits in the list (the next index, starting where the last
 * ended) is the caller's to check.
 */
export function liveChunkProblem(header: LiveHeader, chunk: LiveChunkEntry): string | null {
  if (header.publisher === undefined) {
    return "cannot be checked: the stream's header names no publisher (it is unsigned)";
  }
  const key = signerKey(header.publisher);
  if (typeof key === 'string') return key;
  return chunkSignatureProblem(header, header.publisher, key, chunk, `chunk ${chunk.index} of this stream`);
}

/**
 * What names a live stream in inventories and a master's chunk directory: sha256 of a context line
 * and the publisher, the video's name and the stream id, so it stays the same while the stream
 * grows, ends or fails (a digest of the whole manifest would name a new one every second). A
 * stream restarted under a new id is another stream; its recording (an on-demand manifest) has a
 * digest of its own.
 */
export function liveStreamDigest(manifest: Pick<LiveHeader, 'publisher' | 'name' | 'live'>): string {
  const fields = { publisher: manifest.publisher ?? '', name: manifest.name, stream: manifest.live.stream };
  return createHash('sha256')
    .update(DIGEST_CONTEXT + canonicalJson(fields), 'utf8')
    .digest('hex');
}
