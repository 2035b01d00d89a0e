/**
 * The check a link's player makes on the manifest a peer hands it: signed, validly, by the link's
 * publisher and nobody else. The peers in a link are only where to look; the key is whom to trust,
 * so a peer that serves another publisher's video under the name is refused, not played.
 */
import type { Manifest } from '../shared/manifest.js';
import { publisherFingerprint } from '../shared/publisher.js';
import { signatureProblem } from '../trust/manifest-signature.js';
import { PeerStreamerError } from '../util/errors.js';

export function assertLinkManifest(manifest: Manifest, publisher: string, from: string): void {
  const problem = signatureProblem(manifest);
  const signer = manifest.publisher;
  const why =
    problem !== null
      ? `its signature ${problem}, and the link trusts only publisher ${publisherFingerprint(publisher)}`
      : signer !== publisher
        ? `it is signed by publisher ${publisherFingerprint(signer!)}, but the link trusts only publisher ${publisherFingerprint(publisher)}`
        : null;
  if (why === null) return;
  throw new PeerStreamerError(
    'UNTRUSTED_MANIFEST',
    `The manifest of ${JSON.stringify(manifest.name)} from ${from} was refused: ${why}. Nothing was played. Ask whoever shared the link for a fresh one, or check that it came from the video's publisher.`,
    { video: manifest.name, from, trusted: publisher, ...(signer ? { publisher: signer } : {}) },
  );
}
