/**
 * The store's manifests checked against the node's trust: when the node opens its store, when it
 * first learns its swarm's publisher, and when its upstream changes. A manifest that fails is never
 * served or announced again:
 * - an unsigned or badly signed video the node published itself (pinned: a source's videos, or one
 *   added here; a store from before signing) is signed again with the store's own key;
 * - any other unsigned, badly signed, or (once a publisher is pinned) untrusted video is dropped,
 *   chunks and all, and is fetched again, signed, if it is asked for.
 */
import type { Manifest } from '../shared/manifest.js';
import type { Logger } from '../util/logger.js';
import { signManifest, signatureProblem } from './manifest-signature.js';
import type { PublisherKeyPair } from './publisher-key.js';
import type { PublisherTrust } from './publisher-trust.js';

export interface SweptStore {
  /** Every video whose manifest reads, with it. */
  listVideos(): ReadonlyArray<{ name: string; pinned: boolean; manifest: Manifest }>;
  putManifest(manifest: Manifest): void;
  deleteVideo(name: string): Promise<void>;
}

export interface SweepResult {
  kept: number;
  /**
   * Videos signed again in place: their chunks stay, under a manifest with a new digest, which the
   * node's master has to learn (MasterLink.manifestChanged).
   */
  signed: string[];
  dropped: string[];
}

export async function sweepStoredManifests(
  store: SweptStore,
  trust: PublisherTrust,
  ownKey: () => Promise<PublisherKeyPair>,
  logger: Logger,
): Promise<SweepResult> {
  const result: SweepResult = { kept: 0, signed: [], dropped: [] };
  // Read once, whatever number of videos it signs.
  let key: PublisherKeyPair | undefined;
  // listVideos already leaves out (and logs) a row whose manifest cannot be read.
  for (const { name, pinned, manifest } of store.listVideos()) {
    const problem = signatureProblem(manifest);
    if (problem === null && (pinned || trust.pinned === undefined || trust.trusts(manifest.publisher))) {
      result.kept += 1;
      continue;
    }
    if (problem !== null && pinned) {
      key ??= await ownKey();
      trust.setOwn(key.publicKey);
      store.putManifest(signManifest(manifest, key));
      result.signed.push(name);
      continue;
    }
    await store.deleteVideo(name);
    result.dropped.push(name);
    logger.warn(
      { video: name },
      problem !== null
        ? `dropped ${JSON.stringify(name)}: its signature ${problem}`
        : `dropped ${JSON.stringify(name)}: its publisher is not the one this node trusts`,
    );
  }
  if (result.signed.length > 0)
    logger.info({ videos: result.signed.length }, "signed this store's own videos with its publisher key");
  return result;
}
